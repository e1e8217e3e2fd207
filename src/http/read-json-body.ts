import { RollgateError } from './errors';

/**
 * Reads a JSON request body within `maxBytes`: 415 for another content type, 413 when too large
 * (by Content-Length or while streaming), 400 INVALID_CONTEXT when it is not JSON.
 */
export async function readJsonBody(request: Request, maxBytes: number): Promise<unknown> {
  const type = request.headers.get('content-type');
  if (type !== null && !/^application\/([a-z0-9.+-]*\+)?json\s*(;|$)/i.test(type)) {
    throw new RollgateError(415, 'Content-Type must be application/json', 'INVALID_CONTEXT');
  }
  const declared = request.headers.get('content-length');
  if (declared !== null && Number(declared) > maxBytes) {
    throw new RollgateError(413, `request body is larger than ${maxBytes} bytes`, 'INVALID_CONTEXT');
  }
  // With a declared length within the limit, the runtime's own reader is the fast path.
  const text = declared !== null ? await request.text() : await readLimited(request, maxBytes);
  if (text.length > maxBytes) throw new RollgateError(413, `request body is larger than ${maxBytes} bytes`, 'INVALID_CONTEXT');
  if (text.trim() === '') throw new RollgateError(400, 'request body is empty; expected {"context": {...}}', 'INVALID_CONTEXT');
  try {
    return JSON.parse(text);
  } catch {
    throw new RollgateError(400, 'request body is not valid JSON', 'INVALID_CONTEXT');
  }
}

/** A request body as text, refused (413) as soon as it streams past `maxBytes`. */
export async function readLimited(request: Request, maxBytes: number): Promise<string> {
  if (!request.body) return '';
  // A request body is a byte stream; workers-types leaves its chunk type open.
  const reader = (request.body as ReadableStream<Uint8Array>).getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > maxBytes) {
      await reader.cancel();
      throw new RollgateError(413, `request body is larger than ${maxBytes} bytes`, 'INVALID_CONTEXT');
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
