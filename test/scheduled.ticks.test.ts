/**
 * scheduled() ticks, simulated through the Worker: a duplicate scheduledTime changes nothing, missed
 * ticks are caught up one stage a tick and never without a health check, a paused rollout is
 * not promoted but still rolled back, insufficient data holds the stage.
 */
import { describe, expect, it } from 'vitest';
import { admin } from './helpers/admin';
import { baselineFor, ENV, ERRORING, FLAG, HEALTHY, HOUR, kvSnapshotOf, MIN, type Sim } from './helpers/health-sim';
import { simEachTest } from './helpers/sim-kit';

let sim: Sim;
simEachTest((s) => (sim = s));

describe('scheduled(): ticks', () => {
  it('changes nothing on a duplicate scheduledTime, even when another stage is due', async () => {
    await sim.setup();
    // 10 % and 25 % are both due at 1 h: a second application of the same tick would promote again.
    const r = await sim.start({
      stages: [
        { percent: 5, afterSeconds: 0 },
        { percent: 10, afterSeconds: 3600 },
        { percent: 25, afterSeconds: 3600 },
        { percent: 100, afterSeconds: 7200 },
      ],
    });
    const T = sim.T0 + HOUR;
    await sim.postMinutesBefore(T, 5, () => HEALTHY);
    await sim.tick(T);
    const first = await sim.rollout(r.id);
    expect(first).toMatchObject({ percent: 10, stageIndex: 1 });
    const audit = await sim.audit();
    const kv = await kvSnapshotOf();

    await sim.tick(T);
    expect(await sim.rollout(r.id)).toEqual(first);
    expect(await sim.audit()).toEqual(audit);
    expect(await kvSnapshotOf()).toEqual(kv);

    // The next scheduledTime does take the next due stage.
    await sim.postMinutesBefore(T + MIN, 1, () => HEALTHY);
    await sim.tick(T + MIN);
    expect(await sim.rollout(r.id)).toMatchObject({ percent: 25, stageIndex: 2 });
  });

  it('catches up missed ticks one stage per tick, never promoting without a health check', async () => {
    await sim.setup();
    const r = await sim.start();
    // No tick for 50 hours: the 10 % (24 h) and 25 % (48 h) stages are both due.
    const T = sim.T0 + 50 * HOUR;
    await sim.tick(T);
    const waiting = await sim.rollout(r.id);
    expect(waiting).toMatchObject({ status: 'running', percent: 5, lastDecision: 'waiting: insufficient data (0 of 100 samples)' });

    await sim.postMinutesBefore(T + MIN, 5, () => HEALTHY);
    await sim.tick(T + MIN);
    expect(await sim.rollout(r.id)).toMatchObject({ percent: 10, stageIndex: 1 });

    // The next tick judges its own window: four erroring minutes and a healthy one hold the stage
    // (the baseline errs alike, so the comparison with it has no evidence).
    await sim.postMinutesBefore(T + 7 * MIN, 5, (k) => (k < 4 ? ERRORING : HEALTHY), { ...baselineFor(ERRORING, 10), errors: 54 });
    await sim.tick(T + 7 * MIN);
    expect(await sim.rollout(r.id)).toMatchObject({ status: 'running', percent: 10, lastVerdict: { kind: 'degraded' } });

    await sim.postMinutesBefore(T + 13 * MIN, 5, () => HEALTHY);
    await sim.tick(T + 13 * MIN);
    const at25 = await sim.rollout(r.id);
    expect(at25).toMatchObject({ percent: 25, stageIndex: 2 });

    await sim.postMinutesBefore(T + 14 * MIN, 1, () => HEALTHY);
    await sim.tick(T + 14 * MIN);
    expect(await sim.rollout(r.id)).toMatchObject({ percent: 25, lastDecision: `waiting: next stage 50% at ${new Date(sim.T0 + 72 * HOUR).toISOString()}` });
    expect((await sim.audit('rollout.auto_promoted')).map((e) => e.diff.after.percent)).toEqual([25, 10]);
  });

  it('does not promote while paused, but still rolls back', async () => {
    await sim.setup();
    const r = await sim.start();
    sim.at(sim.T0 + HOUR);
    const paused = await admin(sim.h, 'POST', `/environments/${ENV}/rollouts/${r.id}/pause`, { body: { reason: 'holiday freeze' } });
    expect(paused.status).toBe(200);

    const T = sim.T0 + 25 * HOUR;
    await sim.postMinutesBefore(T, 5, () => HEALTHY);
    await sim.tick(T);
    expect(await sim.rollout(r.id)).toMatchObject({ status: 'paused', percent: 5, lastDecision: 'paused', lastVerdict: { kind: 'healthy' } });
    expect(await sim.audit('rollout.auto_promoted')).toEqual([]);

    await sim.postMinutesBefore(T + 5 * MIN, 5, () => ERRORING);
    await sim.tick(T + 5 * MIN);
    expect(await sim.rollout(r.id)).toMatchObject({ status: 'rolled_back', percent: 0, lastVerdict: { kind: 'breached', trigger: 'error_rate' } });
    expect((await kvSnapshotOf())!.flags[FLAG]).not.toHaveProperty('rollout');
  });

  it('holds the stage on insufficient data and says so in lastDecision', async () => {
    await sim.setup();
    const r = await sim.start();
    const T = sim.T0 + 24 * HOUR;
    // 12 treatment reports over the window (3 in each of the last 4 minutes); the baseline has plenty.
    await sim.postMinutesBefore(T, 5, (k) => (k === 0 ? null : { count: 3, errors: 0, latencyMs: [20, 30, 40] }));
    await sim.tick(T);
    const now = await sim.rollout(r.id);
    expect(now).toMatchObject({
      status: 'running',
      percent: 5,
      stageIndex: 0,
      lastDecision: 'waiting: insufficient data (12 of 100 samples)',
      lastVerdict: { kind: 'insufficient-data', samples: 12, required: 100 },
    });
    expect(await sim.audit('rollout.auto_promoted')).toEqual([]);
    expect((await kvSnapshotOf())!.flags[FLAG]!.rollout).toMatchObject({ percent: 5 });
  });
});
