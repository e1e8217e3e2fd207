/**
 * The coordinator's cron tick, with verdicts given whole: idempotent per scheduledTime; promotes
 * on healthy verdicts exactly when each stage is due, bakes and completes; rolls back on a breach
 * and publishes at once; waits on insufficient (or no) data without promoting or auditing.
 */
import { describe, expect, it } from 'vitest';
import { kvSnapshot } from './helpers/coordinator';
import { coordinatorEachTest, type CoordinatorWorld } from './helpers/coordinator-kit';

const ENV = 'staging';
const HOUR = 3600 * 1000;

const healthy = { window: { kind: 'healthy', numbers: { samples: 500, errorRate: 0.0004, p95Ms: 120, p99Ms: 300 } } };
const healthyBake = { ...healthy, bake: { kind: 'healthy', numbers: { samples: 90_000, errorRate: 0.0003, p95Ms: 110 } } };
const breached = { window: { kind: 'breached', trigger: 'error_rate', numbers: { samples: 800, errorRate: 0.023, p95Ms: 140, p99Ms: 410 } } };
const insufficient = { window: { kind: 'insufficient-data', samples: 12, required: 100 } };

let api: CoordinatorWorld['api'];
const { tickAt, startSafeRollout, rolloutOf, auditCount } = coordinatorEachTest(ENV, (world) => ({ api } = world));

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
