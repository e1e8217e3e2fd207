import type { Reporter } from './reporter';
import { RequestScope, type ScopeStore } from './scope';

/** The parts of Node's `IncomingMessage`/`ServerResponse` (and Express's) the middleware uses. */
interface NodeResponse {
  statusCode: number;
  once(event: 'finish' | 'close', listener: () => void): unknown;
}

export interface NodeMiddlewareOptions {
  store: ScopeStore;
  /** A monotonic clock in ms for latency; default performance.now. */
  clock?: () => number;
}

/**
 * Express / Connect / plain `http` middleware `(req, res, next)`: runs the rest of the request in a
 * fresh scope and, when the response finishes, records its latency and outcome (status ≥ 500 is an
 * error) for every (flag, variant) the request evaluated. `next` throwing synchronously counts as
 * an error and is rethrown. A request the client abandons before the response finished is not
 * recorded: nothing says how the variant did.
 */
export function rollgateNode(reporter: Reporter, options: NodeMiddlewareOptions) {
  const clock = options.clock ?? (() => performance.now());
  return (_req: unknown, res: NodeResponse, next: (err?: unknown) => unknown): void => {
    const scope = new RequestScope();
    const started = clock();
    let done = false;
    const finish = (error: boolean) => {
      if (done) return;
      done = true;
      const latencyMs = clock() - started;
      for (const { flag, variant } of scope.pairs()) reporter.record(flag, variant, { error, latencyMs });
    };
    res.once('finish', () => finish(res.statusCode >= 500));
    res.once('close', () => (done = true));
    try {
      options.store.run(scope, () => next());
    } catch (err) {
      finish(true);
      throw err;
    }
  };
}
