import type { StreamHub } from './ofrep/stream-hub';
import type { Runtime } from './runtime';

/** Hono's typing of Rollgate's app: bindings, and what middleware puts on the context. */
export interface AppEnv {
  Bindings: Env;
  Variables: {
    /** The request's clock reading (ms), taken once. */
    now: number;
    runtime: Runtime;
    /** The app's clock, for work that outlives the request's first reading (event streams). */
    clock: () => number;
    /** The isolate's open OFREP event streams. */
    streams: StreamHub;
  };
}
