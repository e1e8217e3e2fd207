import { hex } from '../../core/encoding';

/** A strong ETag for a response body: the first 128 bits of its SHA-256, hex, quoted. */
export async function etagOf(body: string): Promise<string> {
  const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(body)));
  return `"${hex(digest.subarray(0, 16))}"`;
}

/** True when an If-None-Match header value matches `etag` (weak comparison, lists and `*`). */
export function matchesIfNoneMatch(header: string | null, etag: string): boolean {
  if (header === null) return false;
  const bare = etag.replace(/^W\//, '');
  return header.split(',').some((candidate) => {
    const c = candidate.trim();
    return c === '*' || c.replace(/^W\//, '') === bare;
  });
}
