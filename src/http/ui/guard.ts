import type { Context, MiddlewareHandler } from 'hono';
import { getCookie } from 'hono/cookie';
import { inScope } from '../admin/admin-auth';
import { equalHex } from '../client-auth';
import { RollgateError } from '../errors';
import { readLimited } from '../read-json-body';
import type { AppEnv } from '../types';
import type { Viewer } from './layout';
import { openSession, SESSION_COOKIE, sessionSecret } from './session';

/** The dashboard's context: the app's, plus who is signed in. */
export interface UiEnv {
  Bindings: AppEnv['Bindings'];
  Variables: AppEnv['Variables'] & { viewer: Viewer };
}

/** The largest form the dashboard accepts: its forms hold a reason and a few short fields. */
const MAX_FORM_BYTES = 16 * 1024;

/**
 * Security headers on every dashboard answer: no inline script or style (the CSP allows only
 * /ui/static), no framing, no referrer, and nothing cached (pages show live state and secrets).
 */
export const securityHeaders: MiddlewareHandler<AppEnv> = async (c, next) => {
  await next();
  const h = c.res.headers;
  h.set(
    'content-security-policy',
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; connect-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'",
  );
  h.set('x-frame-options', 'DENY');
  h.set('referrer-policy', 'no-referrer');
  h.set('x-content-type-options', 'nosniff');
  if (!c.req.path.startsWith('/ui/static/')) h.set('cache-control', 'no-store');
};

/** The session secret, or 503: without it nobody can be signed in. */
export function secretOf<E extends AppEnv>(c: Context<E>): string {
  const secret = sessionSecret((c.env as { SESSION_SECRET?: unknown }).SESSION_SECRET);
  if (!secret) throw new RollgateError(503, 'unavailable', 'the dashboard needs the Worker secret SESSION_SECRET (32 characters or more)');
  return secret;
}

/** Signed-in pages: without a valid session, GETs go to the sign-in page and anything else is 401. */
export const requireSession: MiddlewareHandler<UiEnv> = async (c, next) => {
  const runtime = c.get('runtime');
  const opened = await openSession(getCookie(c, SESSION_COOKIE), secretOf(c), runtime.settings.adminTokens, c.get('now'));
  if (!opened) {
    if (c.req.method === 'GET') return c.redirect('/ui/login', 303);
    throw new RollgateError(401, 'unauthorized', 'sign in first');
  }
  c.set('viewer', { ...opened, environments: runtime.environments.filter((e) => inScope(opened.token, e)) });
  await next();
};

/**
 * A posted form, after the checks every state change passes: same origin (when the browser says so),
 * urlencoded, at most MAX_FORM_BYTES, and (with a session) the session's CSRF token.
 */
export async function readForm<E extends AppEnv>(c: Context<E>, csrf: string | null): Promise<URLSearchParams> {
  // Browsers name where a request comes from; a form posted from another site is refused before
  // its token is even looked at (the Origin header is no help here: proxies in front, wrangler
  // dev's among them, rewrite the URL the Worker sees).
  const site = c.req.header('sec-fetch-site');
  if (site !== undefined && site !== 'same-origin' && site !== 'none') throw new RollgateError(403, 'forbidden', 'cross-site form posts are refused');
  if (!(c.req.header('content-type') ?? '').startsWith('application/x-www-form-urlencoded'))
    throw new RollgateError(415, 'unsupported_media_type', 'expected a form');
  const text = await readLimited(c.req.raw, MAX_FORM_BYTES);
  const form = new URLSearchParams(text);
  if (csrf !== null) {
    const sent = form.get('csrf') ?? '';
    if (!/^[0-9a-f]{32}$/.test(sent) || !equalHex(sent, csrf))
      throw new RollgateError(403, 'forbidden', 'the form is missing its CSRF token or it is stale: reload the page');
  }
  return form;
}
