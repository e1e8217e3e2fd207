import { evictDurableObject, reset, runDurableObjectAlarm, runInDurableObject } from 'cloudflare:test';
import { env } from 'cloudflare:workers';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { MIGRATIONS } from '../src/coordinator/migrations';
import type { RolloutCoordinator } from '../src/coordinator/rollout-coordinator';
import type { ConfigWrite } from '../src/coordinator/config-ops';
import type { RolloutView } from '../src/coordinator/rollout-ops';
import type { RollgateConfig } from '../src/core/schema/config';
import { resolveEnvironment } from '../src/core/config/resolve-environment';
import { snapshotKey } from '../src/store/keys';
import { TestClock } from './helpers/clock';
import { configWith, coordinatorOf, kvSnapshot, validConfig } from './helpers/coordinator';
import { tickGiven } from './helpers/coordinator-deps';

const ENV = 'staging';
const HOUR = 3600 * 1000;

const healthy = { window: { kind: 'healthy', numbers: { samples: 500, errorRate: 0.0004, p95Ms: 120, p99Ms: 300 } } };
const healthyBake = { ...healthy, bake: { kind: 'healthy', numbers: { samples: 90_000, errorRate: 0.0003, p95Ms: 110 } } };
const breached = { window: { kind: 'breached', trigger: 'error_rate', numbers: { samples: 800, errorRate: 0.023, p95Ms: 140, p99Ms: 410 } } };
const insufficient = { window: { kind: 'insufficient-data', samples: 12, required: 100 } };

let clock: TestClock;
// A fresh stub per test: reset() breaks the stubs made before it.
let api: ReturnType<typeof coordinatorOf>['api'];

/** A cron tick at `at`, with the object's clock there too, as in production (scheduledTime ≈ now). */
function tickAt(at: number, health: Record<string, unknown>) {
  clock.set(at);
  return tickGiven(ENV, at, health);
}
let stub: DurableObjectStub<RolloutCoordinator>;

beforeEach(() => {
  clock = new TestClock();
  ({ api, stub } = coordinatorOf(ENV));
});
afterEach(async () => {
  clock.restore();
  await reset();
});

function write(document: RollgateConfig, ifMatch: number | null = null): ConfigWrite {
  return { document, ifMatch, actor: 'tester', reason: null, confirmed: false };
}

/** Writes the valid config, then starts a safe rollout of new-checkout → on a second later; returns the rollout. */
async function startSafeRollout(): Promise<RolloutView> {
  const put = await api.putConfig(write(validConfig()), clock.now);
  expect(put).toMatchObject({ ok: true, value: { version: 1, changed: true } });
  clock.advance(1000);
  const started = await api.startRollout({ flag: 'new-checkout', variant: 'on', strategy: 'safe', reason: 'launch' }, 'tester', clock.now, false);
  if (!started.ok) throw new Error(`start refused: ${started.error}`);
  return started.value;
}

async function rolloutOf(id: string): Promise<RolloutView> {
  const out = await api.getRollout(id);
  if (!out.ok) throw new Error(out.error);
  return out.value as RolloutView;
}

async function auditCount(): Promise<number> {
  return (await api.auditPage({ limit: 500 })).entries.length;
}

describe('tick', () => {
  it('is idempotent per scheduledTime: the same now twice changes nothing the second time', async () => {
    const r = await startSafeRollout();
    const at = r.startedAt + 24 * HOUR;
    const first = await tickAt(at, { [r.id]: healthy });
    expect(first).toMatchObject({ scheduledTime: at, duplicate: false, changed: [r.id], publish: { status: 'published' } });
    const afterFirst = await rolloutOf(r.id);
    expect(afterFirst.percent).toBe(10);
    const summary = await api.summary();
    const audits = await auditCount();

    // The same scheduledTime again, even with a breach and with a healthy verdict: nothing happens.
    for (const health of [healthy, breached]) {
      const again = await tickAt(at, { [r.id]: health });
      expect(again).toEqual({ scheduledTime: at, duplicate: true, changed: [], publish: null });
    }
    expect(await rolloutOf(r.id)).toEqual(afterFirst);
    expect(await api.summary()).toEqual(summary);
    expect(await auditCount()).toBe(audits);
    expect((await kvSnapshot(ENV))!.$rollgate.version).toBe(summary.snapshotVersion);
  });

  it('promotes on healthy verdicts exactly when each stage of the safe plan is due, then bakes and completes', async () => {
    const r = await startSafeRollout();
    expect(r).toMatchObject({ status: 'running', percent: 5, stageIndex: 0 });
    expect(r.plan.stages.map((s) => [s.percent, s.afterSeconds / 3600])).toEqual([
      [5, 0],
      [10, 24],
      [25, 48],
      [50, 72],
      [75, 96],
      [100, 120],
    ]);
    const S = r.startedAt;
    const expected: [hours: number, percent: number][] = [
      [23.99, 5],
      [24, 10],
      [47.99, 10],
      [48, 25],
      [72, 50],
      [96, 75],
      [119.99, 75],
      [120, 100],
    ];
    for (const [hours, percent] of expected) {
      const at = S + Math.round(hours * HOUR);
      await tickAt(at, { [r.id]: healthy });
      const now = await rolloutOf(r.id);
      expect({ hours, percent: now.percent, status: now.status }).toEqual({ hours, percent, status: 'running' });
      // The published snapshot carries the served percentage.
      const snap = await kvSnapshot(ENV);
      expect({ hours, rollout: snap!.flags['new-checkout']!.rollout }).toEqual({
        hours,
        rollout: { id: r.id, variant: 'on', baselineVariant: 'off', percent },
      });
    }
    const atFull = await rolloutOf(r.id);
    expect(atFull.bakeStartedAt).toBe(S + 120 * HOUR);
    expect(atFull.lastDecision).toContain('baking until');

    // The bake lasts 48 h at 100 %.
    await tickAt(S + 168 * HOUR - 1, { [r.id]: healthyBake });
    expect((await rolloutOf(r.id)).status).toBe('running');
    await tickAt(S + 168 * HOUR, { [r.id]: healthyBake });
    const done = await rolloutOf(r.id);
    expect(done).toMatchObject({ status: 'completed', percent: 100, endedAt: S + 168 * HOUR });

    // The history shows every automatic promotion, by the system actor.
    const promotions = done.history!.filter((t) => t.event === 'promoted');
    expect(promotions.map((t) => [t.toPercent, t.actor])).toEqual([
      [10, 'rollgate'],
      [25, 'rollgate'],
      [50, 'rollgate'],
      [75, 'rollgate'],
      [100, 'rollgate'],
    ]);
    const autoPromotions = await api.auditPage({ limit: 50, action: 'rollout.auto_promoted' });
    expect(autoPromotions.entries).toHaveLength(5);
    expect(autoPromotions.entries.every((e) => e.actor === 'rollgate' && e.target === r.id)).toBe(true);

    // Completion makes the variant the default, so users stay on it once the rollout leaves the snapshot.
    const snap = await kvSnapshot(ENV);
    expect(snap!.flags['new-checkout']!.rollout).toBeUndefined();
    expect(snap!.flags['new-checkout']!.defaultVariant).toBe('on');
    expect((await api.summary()).activeRollouts).toEqual([]);
  });

  it('rolls back on a breached verdict and publishes at once, with the trigger and numbers in the audit log', async () => {
    const r = await startSafeRollout();
    await tickAt(r.startedAt + 24 * HOUR, { [r.id]: healthy });
    expect((await kvSnapshot(ENV))!.flags['new-checkout']!.rollout).toMatchObject({ percent: 10 });

    const at = r.startedAt + 30 * HOUR;
    const result = await tickAt(at, { [r.id]: breached });
    expect(result).toMatchObject({ duplicate: false, changed: [r.id], publish: { status: 'published' } });

    const after = await rolloutOf(r.id);
    expect(after).toMatchObject({ status: 'rolled_back', percent: 0, endedAt: at });
    expect(after.lastDecision).toBe('rolled back: error_rate 2.3% > 1%');

    // Published immediately: the snapshot in KV is the latest and no longer carries the rollout.
    const summary = await api.summary();
    expect(summary.publishedVersion).toBe(summary.snapshotVersion);
    const snap = await kvSnapshot(ENV);
    expect(snap!.$rollgate.version).toBe(summary.snapshotVersion);
    expect(snap!.flags['new-checkout']!.rollout).toBeUndefined();
    expect(snap!.flags['new-checkout']!.defaultVariant).toBe('off');

    const [entry] = (await api.auditPage({ limit: 1 })).entries;
    expect(entry).toMatchObject({
      actor: 'rollgate',
      action: 'rollout.auto_rolled_back',
      target: r.id,
      reason: 'rolled back: error_rate 2.3% > 1%',
      diff: {
        before: { status: 'running', percent: 10 },
        after: { status: 'rolled_back', percent: 0 },
        events: [{ type: 'rolled_back', fromPercent: 10, manual: false, trigger: 'error_rate', numbers: breached.window.numbers }],
      },
    });
    const rollbackTransition = after.history!.find((t) => t.event === 'rolled_back');
    expect(rollbackTransition).toMatchObject({ actor: 'rollgate', fromPercent: 10, toPercent: 0, toStatus: 'rolled_back' });
  });

  it('waits on insufficient data, saying why in lastDecision, without promoting or auditing', async () => {
    const r = await startSafeRollout();
    const audits = await auditCount();
    const version = (await api.summary()).snapshotVersion;

    const result = await tickAt(r.startedAt + 25 * HOUR, { [r.id]: insufficient });
    expect(result).toMatchObject({ duplicate: false, changed: [], publish: null });
    const waiting = await rolloutOf(r.id);
    expect(waiting).toMatchObject({ status: 'running', percent: 5, stageIndex: 0 });
    expect(waiting.lastDecision).toBe('waiting: insufficient data (12 of 100 samples)');
    expect(waiting.lastVerdict).toEqual(insufficient.window);

    // No verdict at all for the rollout is no data either: never a pass.
    await tickAt(r.startedAt + 26 * HOUR, {});
    expect((await rolloutOf(r.id)).lastDecision).toBe('waiting: insufficient data (0 of 100 samples)');
    expect((await rolloutOf(r.id)).percent).toBe(5);

    expect(await auditCount()).toBe(audits);
    expect((await api.summary()).snapshotVersion).toBe(version);

    // Data arriving later promotes on the next tick.
    await tickAt(r.startedAt + 27 * HOUR, { [r.id]: healthy });
    expect((await rolloutOf(r.id)).percent).toBe(10);
  });
});

describe('durability', () => {
  it('loses no state when the object is evicted mid-rollout, and works after', async () => {
    const r = await startSafeRollout();
    await tickAt(r.startedAt + 24 * HOUR, { [r.id]: healthy });
    clock.set(r.startedAt + 25 * HOUR);
    const paused = await api.rolloutAction(r.id, 'pause', { reason: 'checking dashboards' }, 'tester', clock.now, false);
    expect(paused).toMatchObject({ ok: true, value: { status: 'paused', changed: true } });

    const before = {
      rollout: await rolloutOf(r.id),
      config: await api.getConfig(),
      audit: await api.auditPage({ limit: 500 }),
      summary: await api.summary(),
      list: await api.listRollouts(),
    };
    expect(before.audit.entries.length).toBeGreaterThanOrEqual(4);

    // An in-memory marker shows that the instance really is a new one after the eviction.
    const marker: Pick<KVNamespace, 'put'> = { put: (key, value) => env.FLAGS.put(key, value) };
    await runInDurableObject(stub, (instance: RolloutCoordinator) => {
      instance.deps.publishTarget = marker;
    });
    expect(await runInDurableObject(stub, (instance: RolloutCoordinator) => instance.deps.publishTarget === marker)).toBe(true);
    await evictDurableObject(stub);
    expect(await runInDurableObject(stub, (instance: RolloutCoordinator) => instance.deps.publishTarget === marker)).toBe(false);

    const after = {
      rollout: await rolloutOf(r.id),
      config: await api.getConfig(),
      audit: await api.auditPage({ limit: 500 }),
      summary: await api.summary(),
      list: await api.listRollouts(),
    };
    expect(after).toEqual(before);

    // Calls after the eviction work and continue from the stored state.
    clock.set(r.startedAt + 26 * HOUR);
    const resumed = await api.rolloutAction(r.id, 'resume', { reason: 'dashboards fine' }, 'tester', clock.now, false);
    expect(resumed).toMatchObject({ ok: true, value: { status: 'running', percent: 10, pausedTotalMs: HOUR, changed: true } });
    // The pause shifted the schedule by an hour: 25 % is due at 49 h, not 48 h.
    await tickAt(r.startedAt + 48 * HOUR, { [r.id]: healthy });
    expect((await rolloutOf(r.id)).percent).toBe(10);
    await tickAt(r.startedAt + 49 * HOUR, { [r.id]: healthy });
    expect((await rolloutOf(r.id)).percent).toBe(25);
    const put = await api.putConfig(
      write(
        configWith((c) => (c.flags['static-bool']!.defaultVariant = 'off')),
        1,
      ),
      clock.now,
    );
    expect(put).toMatchObject({ ok: true, value: { version: 2, changed: true } });
  });

  it('publishes a change committed but not yet published before an eviction', async () => {
    await api.putConfig(write(validConfig()), clock.now);
    expect((await kvSnapshot(ENV))!.$rollgate.version).toBe(1);
    // Within the same second: committed, publish deferred to the alarm.
    const second = await api.putConfig(write(configWith((c) => (c.flags['static-bool']!.defaultVariant = 'off'))), clock.now);
    expect(second).toMatchObject({ ok: true, value: { version: 2 } });
    expect((await kvSnapshot(ENV))!.$rollgate.version).toBe(1);

    await evictDurableObject(stub);
    clock.advance(1000);
    expect(await runDurableObjectAlarm(stub)).toBe(true);

    const snap = await kvSnapshot(ENV);
    expect(snap!.$rollgate.version).toBe(2);
    expect(snap!.flags['static-bool']!.defaultVariant).toBe('off');
    expect(await api.summary()).toMatchObject({ snapshotVersion: 2, publishedVersion: 2, lastPublishError: null });
  });

  it('retries a failed KV put from the alarm until KV holds SQLite latest, reporting the error meanwhile', async () => {
    await api.summary(); // the object exists, so its instance can be reached
    const attempts: string[] = [];
    await runInDurableObject(stub, (instance: RolloutCoordinator) => {
      instance.deps.publishTarget = {
        put: async (key: string) => {
          attempts.push(key);
          throw new Error('KV PUT failed: 429 Too Many Requests');
        },
      };
    });

    const put = await api.putConfig(write(validConfig()), clock.now);
    // The write is committed and answered; the publish failure is not the caller's failure.
    expect(put).toMatchObject({ ok: true, value: { version: 1, changed: true } });
    expect(attempts).toEqual([snapshotKey(ENV)]);
    expect(await kvSnapshot(ENV)).toBeNull();
    expect(await api.summary()).toMatchObject({
      configVersion: 1,
      snapshotVersion: 1,
      publishedVersion: 0,
      lastPublishError: 'KV PUT failed: 429 Too Many Requests',
    });

    // The alarm retries, and fails again while KV keeps failing.
    const alarmAt = await runInDurableObject(stub, (_i, state) => state.storage.getAlarm());
    expect(alarmAt).not.toBeNull();
    clock.set(alarmAt!);
    expect(await runDurableObjectAlarm(stub)).toBe(true);
    expect(attempts).toHaveLength(2);
    expect(await kvSnapshot(ENV)).toBeNull();
    expect((await api.summary()).lastPublishError).toBe('KV PUT failed: 429 Too Many Requests');

    // Another change meanwhile is committed too.
    const second = await api.putConfig(write(configWith((c) => (c.flags['static-bool']!.defaultVariant = 'off'))), clock.now);
    expect(second).toMatchObject({ ok: true, value: { version: 2 } });

    // KV recovers: the next alarm publishes the latest committed state.
    await runInDurableObject(stub, (instance: RolloutCoordinator) => {
      instance.deps.publishTarget = env.FLAGS;
    });
    const retryAt = await runInDurableObject(stub, (_i, state) => state.storage.getAlarm());
    expect(retryAt).not.toBeNull();
    clock.set(Math.max(retryAt!, clock.now + 1000));
    expect(await runDurableObjectAlarm(stub)).toBe(true);

    const summary = await api.summary();
    expect(summary).toMatchObject({ configVersion: 2, lastPublishError: null });
    expect(summary.publishedVersion).toBe(summary.snapshotVersion);
    const snap = await kvSnapshot(ENV);
    expect(snap!.$rollgate.version).toBe(summary.snapshotVersion);
    expect(snap!.flags).toEqual(
      resolveEnvironment(
        configWith((c) => (c.flags['static-bool']!.defaultVariant = 'off')),
        ENV,
      ).flags,
    );
  });

  it('coalesces a burst: one immediate KV write, the rest by one alarm write of the latest version', async () => {
    await api.summary();
    const writes: number[] = [];
    await runInDurableObject(stub, (instance: RolloutCoordinator) => {
      instance.deps.publishTarget = {
        put: async (key: string, value: string) => {
          writes.push((JSON.parse(value) as { $rollgate: { version: number } }).$rollgate.version);
          await env.FLAGS.put(key, value);
        },
      };
    });

    const start = clock.now;
    await api.putConfig(write(validConfig()), clock.now);
    for (const [i, variant] of (['off', 'on', 'off'] as const).entries()) {
      clock.set(start + 100 * (i + 1));
      await api.putConfig(write(configWith((c) => (c.flags['static-bool']!.defaultVariant = variant))), clock.now);
    }
    clock.set(start + 400);
    await api.issueKey({ name: 'burst-key' }, 'tester', clock.now, false);

    expect(writes).toEqual([1]);
    expect((await kvSnapshot(ENV))!.$rollgate.version).toBe(1);
    const summary = await api.summary();
    expect(summary).toMatchObject({ snapshotVersion: 5, publishedVersion: 1 });
    // The alarm is armed for one second after the first write.
    expect(await runInDurableObject(stub, (_i, state) => state.storage.getAlarm())).toBe(start + 1000);

    clock.set(start + 1000);
    expect(await runDurableObjectAlarm(stub)).toBe(true);
    expect(writes).toEqual([1, 5]);
    const snap = await kvSnapshot(ENV);
    expect(snap!.$rollgate.version).toBe(5);
    expect(snap!.flags['static-bool']!.defaultVariant).toBe('off');
    expect(snap!.$rollgate.clientKeys.map((k) => k.name)).toEqual(['burst-key']);
    expect(await api.summary()).toMatchObject({ snapshotVersion: 5, publishedVersion: 5 });

    // Nothing is left to publish: a retried alarm writes nothing.
    clock.advance(1000);
    await runDurableObjectAlarm(stub);
    expect(writes).toEqual([1, 5]);
  });
});

describe('storage', () => {
  it('records its migrations in schema_migrations', async () => {
    await api.summary();
    const rows = await runInDurableObject(stub, (_i, state) => ({
      migrations: state.storage.sql.exec<{ version: number }>('SELECT version FROM schema_migrations ORDER BY version').toArray(),
      tables: state.storage.sql
        .exec<{ name: string }>("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name NOT LIKE '_cf_%' ORDER BY name")
        .toArray()
        .map((r) => r.name),
    }));
    // Version 1 (the coordinator's tables) and every later migration, each recorded once.
    expect(rows.migrations[0]).toEqual({ version: 1 });
    expect(rows.migrations).toEqual(MIGRATIONS.map((m) => ({ version: m.version })));
    expect(rows.tables).toEqual(
      expect.arrayContaining([
        'audit_log',
        'client_keys',
        'config_versions',
        'meta',
        'processed_ticks',
        'rollout_transitions',
        'rollouts',
        'schema_migrations',
      ]),
    );
  });

  it('keeps the full config history', async () => {
    await api.putConfig(write(validConfig()), clock.now);
    clock.advance(1000);
    await api.putConfig(write(configWith((c) => (c.flags['static-bool']!.defaultVariant = 'off'))), clock.now);
    const versions = await runInDurableObject(stub, (_i, state) =>
      state.storage.sql.exec<{ version: number; actor: string }>('SELECT version, actor FROM config_versions ORDER BY version').toArray(),
    );
    expect(versions).toEqual([
      { version: 1, actor: 'tester' },
      { version: 2, actor: 'tester' },
    ]);
  });
});
