import type { Hono } from 'hono';
import { logEvent } from '../../log';
import type { AppEnv } from '../types';
import type { Runtime } from '../runtime';
import { evaluateBulk, evaluateSingle } from './evaluate';

const BULK_PATH = '/ofrep/v1/evaluate/flags';
const SINGLE_PREFIX = `${BULK_PATH}/`;

/** The app's own fetch (Hono's: the bindings are typed loosely there, `Env | {}`). */
type Fetch = Hono<AppEnv>['fetch'];

/** What the fast path shares with the app: its clock and the isolate's runtime. */
export interface FastPathDeps {
  now: () => number;
  runtimeFor: (env: Env) => Runtime;
}

/**
 * The two OFREP evaluation routes, served around the router: they are most of the traffic, and
 * the router's matching, middleware and context cost showed in the profile. Only the plain case
 * takes this path, a POST without Origin (server-side SDKs: no CORS) to a path that needs no
 * decoding; anything else (browsers, preflights, an encoded key) goes through `routerFetch`,
 * which serves the same handlers, so both paths answer alike.
 */
export function ofrepFastPath(routerFetch: Fetch, deps: FastPathDeps): Fetch {
  return (request, bindings, ctx) => {
    if (request.method !== 'POST' || bindings === undefined || ctx === undefined || request.headers.has('origin')) return routerFetch(request, bindings, ctx);
    const env = bindings as Env;
    const path = pathOf(request.url);
    if (path === BULK_PATH)
      return answer(evaluateBulk({ request, env, waitUntil: (w) => ctx.waitUntil(w), runtime: deps.runtimeFor(env), now: deps.now() }), request);
    if (path.startsWith(SINGLE_PREFIX)) {
      const key = path.slice(SINGLE_PREFIX.length);
      if (key !== '' && !key.includes('/') && !key.includes('%')) {
        return answer(evaluateSingle({ request, env, waitUntil: (w) => ctx.waitUntil(w), runtime: deps.runtimeFor(env), now: deps.now() }, key), request);
      }
    }
    return routerFetch(request, bindings, ctx);
  };
}

/** The router's answer to what a handler throws (app.ts onError), for the fast path. */
async function answer(response: Promise<Response>, request: Request): Promise<Response> {
  try {
    return await response;
  } catch (err) {
    logEvent({ event: 'unhandled_error', path: pathOf(request.url), name: (err as Error).name, message: (err as Error).message });
    return new Response(JSON.stringify({ errorDetails: 'internal error' }), { status: 500, headers: { 'content-type': 'application/json' } });
  }
}

/** The path of an absolute URL, without query or fragment, undecoded (as the router sees it). */
export function pathOf(url: string): string {
  const start = url.indexOf('/', url.indexOf('//') + 2);
  if (start < 0) return '/';
  let end = url.length;
  const q = url.indexOf('?', start);
  if (q >= 0) end = q;
  const h = url.indexOf('#', start);
  if (h >= 0 && h < end) end = h;
  return url.slice(start, end);
}
