import { buildSnapshot } from '../core/config/build-snapshot';
import type { Snapshot } from '../core/schema/snapshot';
import { AuditLog } from './audit-log';
import { ClientKeys } from './client-keys';
import { ConfigVersions } from './config-versions';
import { Meta } from './meta';
import { TickLog } from './tick-log';
import { NotificationOutbox } from './notification-outbox';
import { enqueueNotifications } from './notify';
import { ProbeTable } from './probes';
import { Publisher } from './publisher';
import { RolloutRows } from './rollout-rows';
import { TickFailures } from './tick-failures';
import { FoldFailures } from './fold-failures';

/** The coordinator's stores over one SQLite database, shared by its operations. */
export interface CoordinatorState {
  storage: DurableObjectStorage;
  meta: Meta;
  configs: ConfigVersions;
  rollouts: RolloutRows;
  tickFailures: TickFailures;
  /** Completed rollouts whose variant could not become the default. */
  foldFailures: FoldFailures;
  /** The ticks applied: each scheduledTime once, tick time only forward. */
  ticks: TickLog;
  audit: AuditLog;
  keys: ClientKeys;
  probes: ProbeTable;
  publisher: Publisher;
  /** Notification deliveries, enqueued with the audit entry of each decision. */
  outbox: NotificationOutbox;
  environment: () => string;
}

/** Wires the stores; `kv` is read on every publish so tests can swap it; `read` is where KV is checked. */
export function createState(storage: DurableObjectStorage, kv: () => Pick<KVNamespace, 'put'>, read: () => Pick<KVNamespace, 'get'>): CoordinatorState {
  const sql = storage.sql;
  const meta = new Meta(sql);
  // Recorded by the coordinator from its name (ctx.id.name); every write names its environment.
  const environment = () => {
    const name = meta.get('environment', '');
    if (name === '') throw new Error('a coordinator is reached by its environment name (getByName)');
    return name;
  };
  const configs = new ConfigVersions(sql);
  const rollouts = new RolloutRows(sql);
  const keys = new ClientKeys(sql);
  const tickFailures = new TickFailures(meta);
  // Broken rows (rows that do not parse) are left out: their flags serve the baseline, the safe
  // side for a rollout nobody can watch. Held rollouts that parse keep their percentage.
  const build = (version: number, now: number): Snapshot =>
    buildSnapshot(configs.latest()?.config ?? { flags: {} }, {
      environment: environment(),
      version,
      publishedAt: now,
      clientKeys: keys.all(),
      rollouts: Object.fromEntries(
        rollouts
          .active()
          .map((r) => [r.flag, { id: r.id, variant: r.variant, percent: r.percent, ...(r.baselineVariant ? { baselineVariant: r.baselineVariant } : {}) }]),
      ),
      tickFailures: tickFailures.all().map((f) => ({ rollout: f.rollout, flag: f.flag, since: new Date(f.since).toISOString() })),
    });
  const outbox = new NotificationOutbox(storage, () => Date.now());
  return {
    storage,
    meta,
    configs,
    rollouts,
    tickFailures,
    foldFailures: new FoldFailures(meta),
    keys,
    probes: new ProbeTable(sql),
    ticks: new TickLog(sql, meta),
    environment,
    outbox,
    audit: new AuditLog(sql, environment, (id, at, r) => enqueueNotifications({ configs, rollouts, outbox, environment }, id, at, r)),
    publisher: new Publisher({ storage, meta, kv, read, environment, build, clock: () => Date.now() }),
  };
}

/**
 * Runs `change` as one SQLite transaction; when it reports that published state changed, bumps
 * the snapshot sequence inside it and arms the publish alarm right after the commit, before any
 * await; deliveries its audit entries enqueued arm the alarm too. Returns the change's result.
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
  s.outbox.armIfQueued();
  return result;
}
