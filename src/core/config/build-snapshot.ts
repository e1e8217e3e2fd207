import { ownValue } from '../json';
import type { RollgateConfig } from '../schema/config';
import type { ActiveRollout } from '../schema/flag';
import { type ClientKeyHash, MAX_TICK_FAILURE_NOTES, type Snapshot, type TickFailureNote } from '../schema/snapshot';
import { resolveEnvironment } from './resolve-environment';

/** What a snapshot is built from besides the config. */
export interface SnapshotInput {
  environment: string;
  version: number;
  /** Milliseconds since the epoch. */
  publishedAt: number;
  clientKeys: ClientKeyHash[];
  /** Active rollouts by flag key. */
  rollouts?: Readonly<Record<string, ActiveRollout>>;
  /** Rollouts held because their tick fails. */
  tickFailures?: readonly TickFailureNote[];
}

/** Builds the KV snapshot of one environment from a validated config. */
export function buildSnapshot(config: RollgateConfig, input: SnapshotInput): Snapshot {
  const set = resolveEnvironment(config, input.environment);
  for (const [key, rollout] of Object.entries(input.rollouts ?? {})) {
    const flag = ownValue(set.flags, key);
    if (flag) set.flags[key] = { ...flag, rollout };
  }
  return {
    ...set,
    $rollgate: {
      format: 1,
      environment: input.environment,
      version: input.version,
      publishedAt: new Date(input.publishedAt).toISOString(),
      clientKeys: input.clientKeys,
      // Capped as the edge's schema is: past it the edge would refuse the whole snapshot.
      ...(input.tickFailures && input.tickFailures.length > 0 ? { tickFailures: input.tickFailures.slice(0, MAX_TICK_FAILURE_NOTES) } : {}),
    },
  };
}
