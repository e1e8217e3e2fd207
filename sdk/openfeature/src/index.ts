// Portable entry (Node ≥ 18, Workers, Deno, Bun): no Node built-ins and no runtime OpenFeature import.
export { rollgateHook } from './hook';
export { rollgateHono, scopeHints, type HonoMiddlewareOptions } from './hono';
export { Reporter, type Outcome, type ReporterError, type ReporterOptions, type ReporterStats } from './reporter';
export { RequestScope, SCOPE_HINT, type ScopeStore } from './scope';
