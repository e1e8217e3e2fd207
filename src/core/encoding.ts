/** Lowercase hex of bytes (digests, MACs, nonces). */
export function hex(bytes: ArrayBuffer | Uint8Array): string {
  const view = bytes instanceof Uint8Array ? bytes : new Uint8Array(bytes);
  let out = '';
  for (const b of view) out += b.toString(16).padStart(2, '0');
  return out;
}

/** URL-safe base64 without padding (RFC 4648 §5), as secrets travel in headers and URLs. */
export function base64url(bytes: Uint8Array): string {
  let binary = '';
  for (const b of bytes) binary += String.fromCharCode(b);
  return btoa(binary).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

/**
 * A secret as Rollgate prints it: a recognisable prefix (so a leaked one is found by scanners and
 * names what it opens) and the random bytes the caller drew, URL-safe base64. The core draws no
 * randomness: the shell passes 32 bytes from crypto.getRandomValues.
 */
export function formatSecret(prefix: string, randomBytes: Uint8Array): string {
  return `${prefix}_${base64url(randomBytes)}`;
}
