import type { LatestSnapshotSource } from '../../store/fast-check';

/** The environment's coordinator, as the fast check sees it (one RPC method). */
export function latestSource(env: Env, environment: string): LatestSnapshotSource {
  return env.COORDINATOR.getByName(environment);
}

/** The colo's Cache API, where the runtime has one. */
export function coloCache(): Cache | undefined {
  return typeof caches === 'undefined' ? undefined : caches.default;
}
