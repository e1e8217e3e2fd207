import { AsyncLocalStorage } from 'node:async_hooks';
import type { RequestScope, ScopeStore } from './scope';

/** Scopes carried by AsyncLocalStorage: Node, Bun, Deno, and Workers with the nodejs_compat flag. */
export function asyncLocalScopes(): ScopeStore {
  const als = new AsyncLocalStorage<RequestScope>();
  return { current: () => als.getStore(), run: (scope, fn) => als.run(scope, fn) };
}
