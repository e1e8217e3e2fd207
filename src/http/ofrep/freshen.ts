import type { Context } from 'hono';
import type { LatestSnapshotSource } from '../../store/fast-check';
import type { AppEnv } from '../types';

/** The environment's coordinator, as the fast check sees it (one RPC method). */
export function latestSource(env: Env, environment: string): LatestSnapshotSource {
  return env.COORDINATOR.getByName(environment);
}

/** The colo's Cache API, where the runtime has one. */
export function coloCache(): Cache | undefined {
  return typeof caches === 'undefined' ? undefined : caches.default;
}

/**
 * Starts the environment's fast version check when it is due, after the response (waitUntil):
 * the request itself pays a map lookup, never a KV read or a coordinator call.
 */
export function freshen(c: Context<AppEnv>, environment: string): void {
  const { fast } = c.get('runtime');
  const now = c.get('now');
  if (!fast.claim(environment, now)) return;
  c.executionCtx.waitUntil(fast.run(environment, () => latestSource(c.env, environment), coloCache(), now));
}
