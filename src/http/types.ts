import type { Runtime } from './runtime';

/** Hono's typing of Rollgate's app: bindings, and what middleware puts on the context. */
export interface AppEnv {
  Bindings: Env;
  Variables: {
    /** The request's clock reading (ms), taken once. */
    now: number;
    runtime: Runtime;
  };
}
