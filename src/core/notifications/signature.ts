import { hex } from '../encoding';

/**
 * `X-Rollgate-Signature`: `t=<unix seconds>,v1=<hex>` with one `v1=` per secret, each the
 * HMAC-SHA256 of `"<t>.<body>"`. Every listed secret signs, so a receiver that knows either the
 * current or the previous secret verifies during a rotation; `t` lets it refuse replays.
 * Deterministic: WebCrypto's HMAC does no I/O.
 */
export async function signatureHeader(secrets: readonly string[], unixSeconds: number, body: string): Promise<string> {
  const parts = [`t=${unixSeconds}`];
  for (const secret of secrets) parts.push(`v1=${await hmacHex(secret, `${unixSeconds}.${body}`)}`);
  return parts.join(',');
}

async function hmacHex(secret: string, message: string): Promise<string> {
  const enc = new TextEncoder();
  const key = await crypto.subtle.importKey('raw', enc.encode(secret), { name: 'HMAC', hash: 'SHA-256' }, false, ['sign']);
  return hex(await crypto.subtle.sign('HMAC', key, enc.encode(message)));
}
