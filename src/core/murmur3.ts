/** Scratch space reused across calls: hashing runs on every fractional evaluation. */
let scratch = new Uint8Array(256);

/**
 * Encodes a string as UTF-8 into the scratch buffer and returns the byte length.
 * Lone surrogates become U+FFFD, as TextEncoder does.
 */
function encodeUtf8(input: string): number {
  if (scratch.length < input.length * 3) scratch = new Uint8Array(input.length * 3 + 16);
  const out = scratch;
  let n = 0;
  for (let i = 0; i < input.length; i++) {
    let c = input.charCodeAt(i);
    if (c < 0x80) {
      out[n++] = c;
      continue;
    }
    if (c < 0x800) {
      out[n++] = 0xc0 | (c >> 6);
      out[n++] = 0x80 | (c & 0x3f);
      continue;
    }
    if (c >= 0xd800 && c <= 0xdfff) {
      const next = i + 1 < input.length ? input.charCodeAt(i + 1) : 0;
      if (c <= 0xdbff && next >= 0xdc00 && next <= 0xdfff) {
        c = 0x10000 + ((c - 0xd800) << 10) + (next - 0xdc00);
        i++;
        out[n++] = 0xf0 | (c >> 18);
        out[n++] = 0x80 | ((c >> 12) & 0x3f);
        out[n++] = 0x80 | ((c >> 6) & 0x3f);
        out[n++] = 0x80 | (c & 0x3f);
        continue;
      }
      c = 0xfffd;
    }
    out[n++] = 0xe0 | (c >> 12);
    out[n++] = 0x80 | ((c >> 6) & 0x3f);
    out[n++] = 0x80 | (c & 0x3f);
  }
  return n;
}

/** MurmurHash3 x86 32-bit of the UTF-8 bytes of `input`, as an unsigned integer. */
export function murmur3(input: string, seed = 0): number {
  const len = encodeUtf8(input);
  const b = scratch;
  let h = seed >>> 0;
  const blocks = len & ~3;
  let k: number;
  for (let i = 0; i < blocks; i += 4) {
    k = b[i]! | (b[i + 1]! << 8) | (b[i + 2]! << 16) | (b[i + 3]! << 24);
    k = Math.imul(k, 0xcc9e2d51);
    k = (k << 15) | (k >>> 17);
    h ^= Math.imul(k, 0x1b873593);
    h = (h << 13) | (h >>> 19);
    h = (Math.imul(h, 5) + 0xe6546b64) | 0;
  }
  k = 0;
  switch (len & 3) {
    case 3:
      k ^= b[blocks + 2]! << 16;
    // falls through
    case 2:
      k ^= b[blocks + 1]! << 8;
    // falls through
    case 1:
      k ^= b[blocks]!;
      k = Math.imul(k, 0xcc9e2d51);
      k = (k << 15) | (k >>> 17);
      h ^= Math.imul(k, 0x1b873593);
  }
  h ^= len;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}
