/**
 * The dashboard's session: a cookie carrying the admin token's name, role and environments (never
 * the token), an expiry and a CSRF nonce, HMAC-SHA-256-signed with the SESSION_SECRET Worker
 * secret. A session names a token; the token must still be configured, with the same role and
 * environments, for the session to count: removing or changing a token ends its sessions.
 */
import { hex } from '../../core/encoding';
import * as z from '../../core/schema/zod';
import type { AdminToken } from '../../settings';
import { equalHex } from '../client-auth';

export const SESSION_COOKIE = 'rollgate_session';
/** Sessions last 8 hours: one night's shift. */
export const SESSION_TTL_MS = 8 * 3600 * 1000;
/** The shortest secret accepted: shorter ones are guessable offline from one cookie. */
const MIN_SECRET_CHARS = 32;

const zSession = z.strictObject({
  name: z.string().check(z.maxLength(256)),
  role: z.enum(['viewer', 'editor', 'operator']),
  environments: z.union([z.literal('*'), z.array(z.string().check(z.maxLength(256))).check(z.maxLength(100))]),
  expires: z.int().check(z.positive()),
  csrf: z.string().check(z.regex(/^[0-9a-f]{32}$/)),
});
export type Session = z.infer<typeof zSession>;

const encoder = new TextEncoder();

function b64url(bytes: Uint8Array): string {
  let s = '';
  for (const b of bytes) s += String.fromCharCode(b);
  return btoa(s).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

function fromB64url(s: string): string | null {
  try {
    return new TextDecoder().decode(Uint8Array.from(atob(s.replace(/-/g, '+').replace(/_/g, '/')), (c) => c.charCodeAt(0)));
  } catch {
    return null;
  }
}

async function mac(secret: string, data: string): Promise<string> {
  const key = await crypto.subtle.importKey('raw', encoder.encode(secret), { name: 'HMAC', hash: 'SHA-256' }, false, ['sign']);
  return hex(await crypto.subtle.sign('HMAC', key, encoder.encode(data)));
}

/** The secret when it is usable, else null (the dashboard then refuses to sign anyone in). */
export function sessionSecret(raw: unknown): string | null {
  return typeof raw === 'string' && raw.length >= MIN_SECRET_CHARS ? raw : null;
}

/** A new session for a token, with a fresh CSRF nonce. */
export function newSession(token: AdminToken, now: number): Session {
  const nonce = new Uint8Array(16);
  crypto.getRandomValues(nonce);
  return { name: token.name, role: token.role, environments: token.environments, expires: now + SESSION_TTL_MS, csrf: hex(nonce) };
}

/** The cookie value: base64url(JSON).hex(HMAC). */
export async function sealSession(session: Session, secret: string): Promise<string> {
  const body = b64url(encoder.encode(JSON.stringify(session)));
  return `${body}.${await mac(secret, body)}`;
}

/** The session in a cookie value, with its configured token, when its signature holds, it has not expired and its token is still configured as it was; else null. */
export async function openSession(
  value: string | undefined,
  secret: string,
  tokens: readonly AdminToken[],
  now: number,
): Promise<{ session: Session; token: AdminToken } | null> {
  if (!value || value.length > 4096) return null;
  const dot = value.lastIndexOf('.');
  if (dot < 0) return null;
  const body = value.slice(0, dot);
  const sig = value.slice(dot + 1);
  if (!/^[0-9a-f]{64}$/.test(sig) || !equalHex(await mac(secret, body), sig)) return null;
  const json = fromB64url(body);
  if (json === null) return null;
  let raw: unknown;
  try {
    raw = JSON.parse(json);
  } catch {
    return null;
  }
  const parsed = zSession.safeParse(raw);
  if (!parsed.success || parsed.data.expires <= now) return null;
  const s = parsed.data;
  const token = tokens.find((t) => t.name === s.name);
  if (!token || token.role !== s.role || JSON.stringify(token.environments) !== JSON.stringify(s.environments)) return null;
  return { session: s, token };
}
