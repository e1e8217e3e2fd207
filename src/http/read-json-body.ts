import { boundedText } from '../bounded-text';
import { RollgateError, type RollgateErrorExtra } from './errors';

/** OFREP's error extra for a body that cannot be read as an evaluation request. */
export const INVALID_CONTEXT: RollgateErrorExtra = { ofrepCode: 'INVALID_CONTEXT' };

/** How a caller names what it expects, and what its errors carry for its own error mapping. */
export interface BodyMapping {
  /** Shown in the "empty body" message, e.g. `{"context": {...}}`. */
  readonly expected: string;
  /** Carried by every error (OFREP passes INVALID_CONTEXT; the admin and metrics APIs nothing). */
  readonly extra?: RollgateErrorExtra;
}

/**
 * Reads a JSON request body within `maxBytes`: 415 for another content type, 413 when too large
 * (by Content-Length or while streaming), 400 when it is not JSON; each error carries the caller's
 * `mapping.extra` so each API answers in its own shape.
 */
export async function readJsonBody(request: Request, maxBytes: number, mapping: BodyMapping): Promise<unknown> {
  const extra = mapping.extra ?? {};
  const type = request.headers.get('content-type');
  if (type !== null && !/^application\/([a-z0-9.+-]*\+)?json\s*(;|$)/i.test(type)) {
    throw new RollgateError(415, 'unsupported_media_type', 'Content-Type must be application/json', extra);
  }
  const header = request.headers.get('content-length');
  const declared = header === null ? NaN : Number(header);
  if (declared > maxBytes) throw new RollgateError(413, 'body_too_large', `request body is larger than ${maxBytes} bytes`, extra);
  // With a declared length within the limit, the runtime's own reader is the fast path; a missing
  // or unreadable length is read with the bound, never trusted.
  const text = Number.isSafeInteger(declared) ? await request.text() : await readLimited(request, maxBytes, extra);
  if (text.length > maxBytes) throw new RollgateError(413, 'body_too_large', `request body is larger than ${maxBytes} bytes`, extra);
  if (text.trim() === '') throw new RollgateError(400, 'invalid_body', `request body is empty; expected ${mapping.expected}`, extra);
  try {
    return JSON.parse(text);
  } catch {
    throw new RollgateError(400, 'invalid_body', 'request body is not valid JSON', extra);
  }
}

/** A request body as text, refused (413) as soon as it streams past `maxBytes`. */
export async function readLimited(request: Request, maxBytes: number, extra: RollgateErrorExtra = {}): Promise<string> {
  const text = await boundedText(request.body, maxBytes);
  if (text === null) throw new RollgateError(413, 'body_too_large', `request body is larger than ${maxBytes} bytes`, extra);
  return text;
}
