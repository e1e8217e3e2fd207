import { runDurableObjectAlarm, runInDurableObject } from 'cloudflare:test';
import { env } from 'cloudflare:workers';
import { expect } from 'vitest';
import type { RolloutCoordinator } from '../../src/coordinator/rollout-coordinator';
import type { CoordinatorApi } from '../../src/http/admin/coordinator-client';
import type { RollgateConfig } from '../../src/core/schema/config';
import type { Snapshot } from '../../src/core/schema/snapshot';
import { snapshotKey } from '../../src/store/keys';
import { keyOf, testConfig } from './fixture';
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
  // eslint-disable-next-line @typescript-eslint/no-unnecessary-type-assertion -- without the cast the checker overflows (TS2589) on the stub's mapped types
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

/** Has `environment`'s coordinator publish its config and a client key (snapshot v2), a second apart; returns the snapshot. */
export async function publishedConfigAndKey(environment: string, clock: TestClock): Promise<Snapshot> {
  const { api } = coordinatorOf(environment);
  await api.putConfig({ document: validConfig(), ifMatch: null, actor: 'tester', reason: null, confirmed: false }, clock.now);
  clock.advance(1000);
  await api.issueKey({ name: 'web', secret: keyOf(environment) }, 'tester', clock.now, false);
  const snap = (await kvSnapshot(environment))!;
  expect(snap.$rollgate.version).toBe(2);
  return snap;
}

/** Rewrites a stored rollout row in the coordinator's SQLite, as older code or a hand edit could have left it. */
export async function rewriteRolloutRow(environment: string, id: string, change: (data: Record<string, any>) => void): Promise<void> {
  await runInDurableObject(env.COORDINATOR.getByName(environment), (_instance, state) => {
    const row = state.storage.sql.exec<{ data: string }>('SELECT data FROM rollouts WHERE id = ?', id).one();
    const data = JSON.parse(row.data) as Record<string, any>;
    change(data);
    state.storage.sql.exec('UPDATE rollouts SET data = ? WHERE id = ?', JSON.stringify(data), id);
  });
}

/**
 * Inserts `document` as `environment`'s next config version straight into SQLite, as older code or
 * a hand edit could have stored it (no validation, no publish), and drops the object's cached copy.
 */
export async function storeConfigVersion(environment: string, document: unknown, at: number, actor: string): Promise<void> {
  await runInDurableObject(env.COORDINATOR.getByName(environment), (instance, state) => {
    const next = state.storage.sql.exec<{ v: number }>('SELECT MAX(version) AS v FROM config_versions').one().v + 1;
    state.storage.sql.exec(
      'INSERT INTO config_versions (version, document, created_at, actor, reason) VALUES (?, ?, ?, ?, ?)',
      next,
      JSON.stringify(document),
      at,
      actor,
      null,
    );
    (instance as unknown as { s: { configs: { forget(): void } } }).s.configs.forget();
  });
}
