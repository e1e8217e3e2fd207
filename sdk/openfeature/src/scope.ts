/**
 * The (flag, variant) pairs one request evaluated. The hook adds to it, the middleware reads it when
 * the request ends. Bounded, so a request that evaluates a flood of flags cannot grow it without end.
 */
export class RequestScope {
  /** More distinct pairs than a request plausibly evaluates; past it new pairs are ignored. */
  static readonly MAX_PAIRS = 256;
  private readonly seen = new Map<string, { flag: string; variant: string }>();

  add(flag: string, variant: string): void {
    if (typeof flag !== 'string' || typeof variant !== 'string') return;
    const key = `${flag}\u0000${variant}`;
    if (this.seen.has(key) || this.seen.size >= RequestScope.MAX_PAIRS) return;
    this.seen.set(key, { flag, variant });
  }

  pairs(): Array<{ flag: string; variant: string }> {
    return [...this.seen.values()];
  }
}

/** Where the hook finds the current request's scope: AsyncLocalStorage in Node (see `asyncLocalScopes` in ./node). */
export interface ScopeStore {
  current(): RequestScope | undefined;
  run<T>(scope: RequestScope, fn: () => T): T;
}

/**
 * The hook hint that names a scope explicitly, for runtimes without AsyncLocalStorage (Workers
 * without nodejs_compat): `client.getBooleanValue(flag, false, ctx, { hookHints: { [SCOPE_HINT]: scope } })`,
 * or `scopeHints(c)` with the Hono middleware.
 */
export const SCOPE_HINT = 'rollgate.scope';
