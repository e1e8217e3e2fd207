/**
 * MurmurHash3 x86 32-bit over UTF-8 bytes, written as a stream so that a key's fixed prefix
 * (a flag key or rollout id) is hashed once per snapshot and each evaluation hashes only the
 * targeting key, without concatenating strings. Lone surrogates encode as U+FFFD, as TextEncoder does.
 */

/** The hash state after some bytes: a prefix that can be resumed. Immutable once made. */
export interface Murmur3State {
  readonly h: number;
  /** Bytes of the unfinished 4-byte block, little-endian. */
  readonly k: number;
  /** How many bytes `k` holds (0–3). */
  readonly pending: number;
  readonly length: number;
}

const EMPTY: Murmur3State = { h: 0, k: 0, pending: 0, length: 0 };

/** MurmurHash3 x86 32-bit of the UTF-8 bytes of `input` (seed 0 unless given), as an unsigned integer. */
export function murmur3(input: string, seed = 0): number {
  return murmur3From(seed === 0 ? EMPTY : { h: seed >>> 0, k: 0, pending: 0, length: 0 }, input);
}

/** The state after hashing `prefix`, for murmur3From. */
export function murmur3Prefix(prefix: string): Murmur3State {
  const out = { h: 0, k: 0, pending: 0, length: 0 };
  feed(EMPTY, prefix, out);
  return out;
}

/** The hash of `prefix + suffix`, given the state after `prefix`. */
export function murmur3From(state: Murmur3State, suffix: string): number {
  const end = { h: 0, k: 0, pending: 0, length: 0 };
  feed(state, suffix, end);
  let h = end.h;
  if (end.pending > 0) h ^= mixK(end.k);
  h ^= end.length;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

function mixK(k: number): number {
  k = Math.imul(k, 0xcc9e2d51);
  k = (k << 15) | (k >>> 17);
  return Math.imul(k, 0x1b873593);
}

/** Folds one complete 4-byte block into the running hash. */
function block(h: number, k: number): number {
  h ^= mixK(k);
  h = (h << 13) | (h >>> 19);
  return (Math.imul(h, 5) + 0xe6546b64) | 0;
}

/** The UTF-8 bytes of a non-ASCII code unit at `i` (with its pair), packed little-endian, and their count. */
function encodeWide(s: string, i: number, c: number): { packed: number; n: number; units: number } {
  if (c < 0x800) return { packed: 0xc0 | (c >> 6) | ((0x80 | (c & 0x3f)) << 8), n: 2, units: 1 };
  if (c >= 0xd800 && c <= 0xdfff) {
    const next = i + 1 < s.length ? s.charCodeAt(i + 1) : 0;
    if (c <= 0xdbff && next >= 0xdc00 && next <= 0xdfff) {
      const cp = 0x10000 + ((c - 0xd800) << 10) + (next - 0xdc00);
      const packed = 0xf0 | (cp >> 18) | ((0x80 | ((cp >> 12) & 0x3f)) << 8) | ((0x80 | ((cp >> 6) & 0x3f)) << 16) | ((0x80 | (cp & 0x3f)) << 24);
      return { packed, n: 4, units: 2 };
    }
    c = 0xfffd;
  }
  return { packed: 0xe0 | (c >> 12) | ((0x80 | ((c >> 6) & 0x3f)) << 8) | ((0x80 | (c & 0x3f)) << 16), n: 3, units: 1 };
}

/** Hashes the UTF-8 bytes of `s` onto `from`, writing the resulting state into `out`. */
function feed(from: Murmur3State, s: string, out: { h: number; k: number; pending: number; length: number }): void {
  let h = from.h;
  let k = from.k;
  let shift = from.pending * 8;
  let bytes = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x80) {
      // ASCII, the common case: one byte, no encoding step.
      k |= c << shift;
      shift += 8;
      bytes++;
      if (shift === 32) {
        h = block(h, k);
        k = 0;
        shift = 0;
      }
      continue;
    }
    const wide = encodeWide(s, i, c);
    i += wide.units - 1;
    bytes += wide.n;
    for (let j = 0; j < wide.n; j++) {
      k |= ((wide.packed >>> (j * 8)) & 0xff) << shift;
      shift += 8;
      if (shift === 32) {
        h = block(h, k);
        k = 0;
        shift = 0;
      }
    }
  }
  out.h = h;
  out.k = k;
  out.pending = shift / 8;
  out.length = from.length + bytes;
}
