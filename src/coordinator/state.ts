import { buildSnapshot } from '../core/config/build-snapshot';
import type { Snapshot } from '../core/schema/snapshot';
import { AuditLog } from './audit-log';
import { ClientKeys } from './client-keys';
import { ConfigVersions } from './config-versions';
import { Meta } from './meta';
import { ProbeTable } from './probes';
import { Publisher } from './publisher';
import { RolloutRows } from './rollout-rows';

/** The coordinator's stores over one SQLite database, shared by its operations. */
export interface CoordinatorState {
  storage: DurableObjectStorage;
  meta: Meta;
  configs: ConfigVersions;
  rollouts: RolloutRows;
  audit: AuditLog;
  keys: ClientKeys;
  probes: ProbeTable;
  publisher: Publisher;
  environment: () => string;
}

/** Wires the stores; `kv` is read on every publish so tests can swap it. */
export function createState(storage: DurableObjectStorage, kv: () => Pick<KVNamespace, 'put'>): CoordinatorState {
  const sql = storage.sql;
  const meta = new Meta(sql);
  const environment = () => meta.get('environment', '');
  const configs = new ConfigVersions(sql);
  const rollouts = new RolloutRows(sql);
  const keys = new ClientKeys(sql);
  const build = (version: number, now: number): Snapshot =>
    buildSnapshot(configs.latest()?.config ?? { flags: {} }, {
      environment: environment(),
      version,
      publishedAt: now,
      clientKeys: keys.all(),
      rollouts: Object.fromEntries(
        rollouts.active().map((r) => [
          r.flag,
          { id: r.id, variant: r.variant, percent: r.percent, ...(r.baselineVariant ? { baselineVariant: r.baselineVariant } : {}) },
        ]),
      ),
    });
  return {
    storage,
    meta,
    configs,
    rollouts,
    keys,
    probes: new ProbeTable(sql),
    environment,
    audit: new AuditLog(sql, environment),
    publisher: new Publisher({ storage, meta, kv, environment, build, clock: () => Date.now() }),
  };
}

/**
 * Runs `change` as one SQLite transaction; when it reports that published state changed, bumps
 * the snapshot sequence inside it and arms the publish alarm right after the commit, before any
 * await. Returns the change's result.
 */
export function commit<T>(s: CoordinatorState, change: () => { result: T; dirty: boolean }): T {
  let dirty = false;
  let result!: T;
  try {
    s.storage.transactionSync(() => {
      const r = change();
      result = r.result;
      dirty = r.dirty;
      if (dirty) s.publisher.markDirty();
    });
  } catch (err) {
    s.configs.forget();
    throw err;
  }
  if (dirty) s.publisher.armAlarm();
  return result;
}
