import { buildSnapshot } from '../core/config/build-snapshot';
import type { Snapshot } from '../core/schema/snapshot';
import { bundledConfigOf, bundledEnvironments } from '../environments';

/**
 * The fallback snapshot of an environment: the bundled config at version 0, accepting the
 * client keys listed for it in FALLBACK_CLIENT_KEYS, evaluate-only (they are meant for SDKs, and
 * health reports go to the coordinator through KV-published keys). Served only when KV never answered.
 */
export function fallbackSnapshot(environment: string, keyHashes: readonly string[]): Snapshot | undefined {
  const config = bundledConfigOf();
  if (!config || !bundledEnvironments().includes(environment)) return undefined;
  return buildSnapshot(config, {
    environment,
    version: 0,
    publishedAt: 0,
    // `fallback:N` is a name no issued key can have (names are letters, digits, . _ -), so a
    // fallback key never shares a rate-limit counter (`<env>:<name>`) with an issued key.
    clientKeys: keyHashes.map((sha256, i) => ({ name: `fallback:${i + 1}`, sha256, scopes: ['evaluate'] })),
  });
}
