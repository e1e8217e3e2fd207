/**
 * A body (a request's or a fetched answer's) as text, read until `limit` bytes and no further:
 * null, with the stream cancelled, once it passes the limit, so a hostile or broken peer cannot
 * make the Worker buffer without bound. Each caller answers null with its own error.
 */
export async function boundedText(body: ReadableStream | null, limit: number): Promise<string | null> {
  if (!body) return '';
  // A body is a byte stream; workers-types leaves its chunk type open.
  const reader = (body as ReadableStream<Uint8Array>).getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > limit) {
      await reader.cancel();
      return null;
    }
    chunks.push(value);
  }
  if (chunks.length === 1) return new TextDecoder().decode(chunks[0]);
  const all = new Uint8Array(size);
  let at = 0;
  for (const c of chunks) {
    all.set(c, at);
    at += c.byteLength;
  }
  return new TextDecoder().decode(all);
}
