import { runDurableObjectAlarm } from 'cloudflare:test';
import { env } from 'cloudflare:workers';
import type { RolloutCoordinator } from '../../src/coordinator/rollout-coordinator';
import type { CoordinatorApi } from '../../src/http/admin/respond';
import type { RollgateConfig } from '../../src/core/schema/config';
import type { Snapshot } from '../../src/core/schema/snapshot';
import { snapshotKey } from '../../src/store/keys';
import { testConfig } from './fixture';
import type { TestClock } from './clock';

/** testConfig without its deliberately broken flag: a document the admin API accepts. */
export function validConfig(): RollgateConfig {
  const config = structuredClone(testConfig);
  delete config.flags['broken'];
  return config;
}

/** validConfig with `change` applied to a copy. */
export function configWith(change: (c: RollgateConfig) => void): RollgateConfig {
  const config = validConfig();
  change(config);
  return config;
}

/** The coordinator of an environment: the raw stub (for cloudflare:test helpers) and its RPC methods, typed as the class declares them. */
export function coordinatorOf(environment: string): { stub: DurableObjectStub<RolloutCoordinator>; api: CoordinatorApi } {
  const stub = env.COORDINATOR.getByName(environment);
  return { stub, api: stub as unknown as CoordinatorApi };
}

/** The snapshot of an environment in KV, or null. */
export async function kvSnapshot(environment: string): Promise<Snapshot | null> {
  return env.FLAGS.get<Snapshot>(snapshotKey(environment), 'json');
}

/**
 * Lets a debounced publish happen: moves the clock past the one-write-per-second limit and runs
 * the coordinator's alarm. Returns whether an alarm ran.
 */
export async function runPublishAlarm(environment: string, clock: TestClock): Promise<boolean> {
  clock.advance(1000);
  return runDurableObjectAlarm(coordinatorOf(environment).stub);
}
