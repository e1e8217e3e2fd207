import type { Context, MiddlewareHandler } from 'hono';
import type { Reporter } from './reporter';
import { RequestScope, SCOPE_HINT, type ScopeStore } from './scope';

export interface HonoMiddlewareOptions {
  /** AsyncLocalStorage-backed scopes (Node, or Workers with nodejs_compat); without it, pass `scopeHints(c)` to evaluations. */
  store?: ScopeStore;
  /** A monotonic clock in ms for latency; default performance.now. */
  clock?: () => number;
}

/** The key under which the middleware keeps the request's scope in Hono's context. */
const SCOPE_VAR = 'rollgateScope';

/**
 * Hono middleware (Node and Workers): measures each request's latency and outcome (a status ≥ 500
 * or a thrown error is an error) and records it for every (flag, variant) the request evaluated.
 * On Workers (a reporter made with `timers: false`) it hands a due flush to `waitUntil`.
 */
export function rollgateHono(reporter: Reporter, options: HonoMiddlewareOptions = {}): MiddlewareHandler {
  const clock = options.clock ?? (() => performance.now());
  return async (c, next) => {
    const scope = new RequestScope();
    c.set(SCOPE_VAR as never, scope as never);
    const started = clock();
    let thrown = false;
    try {
      await (options.store ? options.store.run(scope, next) : next());
    } catch (err) {
      thrown = true;
      throw err;
    } finally {
      const error = thrown || c.error !== undefined || c.res.status >= 500;
      const latencyMs = clock() - started;
      for (const { flag, variant } of scope.pairs()) reporter.record(flag, variant, { error, latencyMs });
      const due = reporter.flushIfDue();
      if (due) waitUntil(c, due);
    }
  };
}

/** The hook hints that tie an evaluation to this request's scope (for runtimes without AsyncLocalStorage). */
export function scopeHints(c: Context): { [SCOPE_HINT]: RequestScope } {
  const scope = c.get(SCOPE_VAR as never) as unknown;
  return { [SCOPE_HINT]: scope instanceof RequestScope ? scope : new RequestScope() };
}

function waitUntil(c: Context, p: Promise<void>): void {
  try {
    // Hono's executionCtx getter throws outside Workers; there the promise simply runs on.
    c.executionCtx.waitUntil(p);
  } catch {
    // not on Workers
  }
}
