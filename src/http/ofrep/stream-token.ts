/**
 * Short-lived tokens for OFREP event-stream URLs. A browser's EventSource cannot send an
 * Authorization header, so the URL carries `<exp>.<b64url env>.<b64url key name>.<b64url HMAC>`:
 * it binds the environment, the key's name and an expiry, and reveals nothing of the key.
 */

/** Tokens expire at the end of the bucket after the current one: valid 15 to 30 minutes. */
export const TOKEN_BUCKET_MS = 15 * 60_000;
/** Longest accepted encoded token; anything longer is refused before any work. */
const MAX_TOKEN_CHARS = 1024;

const encoder = new TextEncoder();
const keys = new Map<string, Promise<CryptoKey>>();
/** Issued tokens per (secret, env, key name, bucket): a bulk request then costs a map lookup. */
const issued = new Map<string, string>();
const MAX_ISSUED = 10_000;

function hmacKey(secret: string): Promise<CryptoKey> {
  let key = keys.get(secret);
  if (!key) {
    key = crypto.subtle.importKey('raw', encoder.encode(secret), { name: 'HMAC', hash: 'SHA-256' }, false, ['sign', 'verify']);
    // A rotated secret replaces the old one; at most a couple are ever alive.
    if (keys.size > 4) keys.clear();
    keys.set(secret, key);
  }
  return key;
}

function b64url(bytes: Uint8Array): string {
  let bin = '';
  for (const b of bytes) bin += String.fromCharCode(b);
  return btoa(bin).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

function fromB64url(text: string): Uint8Array | undefined {
  if (!/^[A-Za-z0-9_-]*$/.test(text)) return undefined;
  try {
    const bin = atob(text.replace(/-/g, '+').replace(/_/g, '/'));
    const out = new Uint8Array(bin.length);
    for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
    return out;
  } catch {
    return undefined;
  }
}

function signedText(exp: number, environment: string, keyName: string): Uint8Array {
  return encoder.encode(`ofrep-stream:v1|${exp}|${environment}|${keyName}`);
}

/** The expiry a token issued at `now` carries. */
export function expiryAt(now: number): number {
  return (Math.floor(now / TOKEN_BUCKET_MS) + 2) * TOKEN_BUCKET_MS;
}

/** A token for `environment` and `keyName`, issued at `now`; the same within a bucket. */
export async function issueStreamToken(secret: string, environment: string, keyName: string, now: number): Promise<string> {
  const exp = expiryAt(now);
  const memoKey = JSON.stringify([secret, environment, keyName, exp]);
  const hit = issued.get(memoKey);
  if (hit !== undefined) return hit;
  const sig = new Uint8Array(await crypto.subtle.sign('HMAC', await hmacKey(secret), signedText(exp, environment, keyName)));
  const token = `${exp}.${b64url(encoder.encode(environment))}.${b64url(encoder.encode(keyName))}.${b64url(sig)}`;
  if (issued.size >= MAX_ISSUED) issued.clear();
  issued.set(memoKey, token);
  return token;
}

/** What a valid token grants. */
export interface StreamGrant {
  environment: string;
  keyName: string;
  exp: number;
}

/** The grant of `token` at `now`, or undefined when it is malformed, forged or expired. */
export async function verifyStreamToken(secret: string, token: string, now: number): Promise<StreamGrant | undefined> {
  if (token.length > MAX_TOKEN_CHARS) return undefined;
  const parts = token.split('.');
  if (parts.length !== 4) return undefined;
  const [expText, envText, nameText, sigText] = parts as [string, string, string, string];
  if (!/^[0-9]{1,15}$/.test(expText)) return undefined;
  const exp = Number(expText);
  if (!(now < exp)) return undefined;
  const envBytes = fromB64url(envText);
  const nameBytes = fromB64url(nameText);
  const sig = fromB64url(sigText);
  if (!envBytes || !nameBytes || !sig || sig.length !== 32) return undefined;
  const decoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: false });
  let environment: string;
  let keyName: string;
  try {
    environment = decoder.decode(envBytes);
    keyName = decoder.decode(nameBytes);
  } catch {
    return undefined;
  }
  // crypto.subtle.verify compares in constant time.
  const ok = await crypto.subtle.verify('HMAC', await hmacKey(secret), sig, signedText(exp, environment, keyName));
  return ok ? { environment, keyName, exp } : undefined;
}
