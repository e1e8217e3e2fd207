/**
 * What the coordinator keeps through an eviction and a failing KV: no state is lost mid-rollout;
 * a committed change not yet published is published by the alarm; a failed KV put is retried
 * until KV holds the latest; a burst of changes is coalesced into one alarm write.
 */
import { evictDurableObject, runDurableObjectAlarm, runInDurableObject } from 'cloudflare:test';
import { env } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import type { RolloutCoordinator } from '../src/coordinator/rollout-coordinator';
import { resolveEnvironment } from '../src/core/config/resolve-environment';
import { snapshotKey } from '../src/store/keys';
import { configWith, kvSnapshot, validConfig } from './helpers/coordinator';
import { coordinatorEachTest, type CoordinatorWorld, write } from './helpers/coordinator-kit';

const ENV = 'staging';
const HOUR = 3600 * 1000;

const healthy = { window: { kind: 'healthy', numbers: { samples: 500, errorRate: 0.0004, p95Ms: 120, p99Ms: 300 } } };

let clock: CoordinatorWorld['clock'];
let api: CoordinatorWorld['api'];
let stub: CoordinatorWorld['stub'];
const { tickAt, startSafeRollout, rolloutOf } = coordinatorEachTest(ENV, (world) => ({ clock, api, stub } = world));

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
