import { hex } from './encoding';

/** SHA-256 of a UTF-8 string, lowercase hex. Deterministic: WebCrypto's digest does no I/O. */
export async function sha256Hex(text: string): Promise<string> {
  return hex(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(text)));
}
