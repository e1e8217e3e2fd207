/**
 * scheduled() rolling back on its own, simulated through the Worker: an error spike over five
 * minutes, a treatment worse than its baseline, a sustained P95 or P99 breach; an
 * environment-wide spike is held instead by default; and how long the rollback takes to reach KV.
 */
import { describe, expect, it } from 'vitest';
import type { RolloutView } from '../src/coordinator/rollout-ops';
import { baselineFor, ERRORING, FLAG, HEALTHY, kvSnapshotOf, MIN, type MinuteLoad, type Sim, SLOW_P95, SLOW_P99 } from './helpers/health-sim';
import { simEachTest, USERS } from './helpers/sim-kit';

// The real clock, taken before any test fakes Date: for the rollback-latency measurement only.
const realNow = Date.now.bind(Date);

let sim: Sim;
const { checkCohort } = simEachTest((s) => (sim = s));

/** Custom short stages: 5 % at once, 25 % after 10 minutes, 100 % after a day; 1 h bake. */
const TO_25 = {
  stages: [
    { percent: 5, afterSeconds: 0 },
    { percent: 25, afterSeconds: 600 },
    { percent: 100, afterSeconds: 86_400 },
  ],
  bakeSeconds: 3600,
};

/** Starts the TO_25 rollout at T0 and promotes it to 25 % at T0+10 min on healthy minutes; returns it. */
async function startAt25(health: Record<string, unknown> = {}): Promise<RolloutView> {
  await sim.setup();
  const r = await sim.start({ ...TO_25, health });
  const T = sim.T0 + 10 * MIN;
  await sim.postMinutesBefore(T, 5, () => HEALTHY);
  await sim.tick(T);
  const at25 = await sim.rollout(r.id);
  expect(at25).toMatchObject({ status: 'running', percent: 25, stageIndex: 1 });
  return at25;
}

describe('scheduled(): automatic rollback', () => {
  it('rolls back an error spike at 25 % on the first tick that sees five breaching minutes, not at four (both cohorts erroring, onEnvironmentWide rollback)', async () => {
    const r = await startAt25({ onEnvironmentWide: 'rollback' });
    const before = await checkCohort(25, new Set());
    expect(before.size).toBeGreaterThan(0);

    // The spike starts in the minute S, in both cohorts alike (so no comparison with the baseline
    // can fire); the tick at S + (i+1) min sees i+1 breaching minutes.
    const S = sim.T0 + 10 * MIN;
    const baselineErroring = { ...baselineFor(ERRORING, 25), errors: 18 }; // 600 requests, 3 %
    for (let i = 0; i < 4; i++) {
      await sim.postMinute(S + i * MIN, ERRORING, baselineErroring);
      await sim.tick(S + (i + 1) * MIN);
      const now = await sim.rollout(r.id);
      expect(now, `after ${i + 1} breaching minutes`).toMatchObject({
        status: 'running',
        percent: 25,
        lastVerdict: { kind: 'degraded', trigger: 'error_rate' },
      });
      // The next stage is not due, so the decision names its time; the verdict shows the breach building up.
      expect(now.lastDecision).toMatch(/^waiting: next stage 100% at /);
      expect((await kvSnapshotOf())!.flags[FLAG]!.rollout).toMatchObject({ percent: 25 });
    }
    await sim.postMinute(S + 4 * MIN, ERRORING, baselineErroring);
    await sim.tick(S + 5 * MIN);
    const rolledBack = await sim.rollout(r.id);
    expect(rolledBack).toMatchObject({ status: 'rolled_back', percent: 0, endedAt: S + 5 * MIN, lastVerdict: { kind: 'breached', trigger: 'error_rate' } });
    expect(rolledBack.lastDecision).toBe('rolled back: error_rate 3% > 1%');
    expect((await kvSnapshotOf())!.flags[FLAG]).not.toHaveProperty('rollout');

    // Every user, including the 25 % who had the new variant, gets the baseline.
    const after = await sim.evaluateUsers(USERS);
    expect(after.filter((v) => v !== false)).toEqual([]);

    const [entry, ...more] = await sim.audit('rollout.auto_rolled_back');
    expect(more).toEqual([]);
    expect(entry).toMatchObject({
      actor: 'rollgate',
      target: r.id,
      reason: 'rolled back: error_rate 3% > 1%',
      diff: { before: { status: 'running', percent: 25 }, after: { status: 'rolled_back', percent: 0 } },
    });
    expect(entry!.diff.events).toEqual([
      {
        type: 'rolled_back',
        fromPercent: 25,
        manual: false,
        trigger: 'error_rate',
        numbers: {
          samples: 1000,
          errorRate: 0.03,
          p95Ms: expect.any(Number),
          p99Ms: expect.any(Number),
          probeFailures: 0,
          baseline: { samples: 3000, errorRate: 0.03, p95Ms: expect.any(Number), p99Ms: expect.any(Number) },
          guards: expect.arrayContaining([expect.objectContaining({ guard: 'errors', needed: 150 })]),
        },
      },
    ]);
  }, 30_000);

  it('holds an environment-wide error spike by default: the baseline breaches as well, the treatment is no worse', async () => {
    const r = await startAt25();
    const S = sim.T0 + 10 * MIN;
    const baselineErroring = { ...baselineFor(ERRORING, 25), errors: 18 };
    for (let i = 0; i < 6; i++) await sim.postMinute(S + i * MIN, ERRORING, baselineErroring);
    await sim.tick(S + 6 * MIN);
    const held = await sim.rollout(r.id);
    expect(held).toMatchObject({ status: 'running', percent: 25, lastVerdict: { kind: 'held', cause: 'environment_wide', trigger: 'error_rate' } });
    expect(held.lastDecision).toMatch(/^waiting: environment-wide: baseline breaches as well \(error_rate 3% > 1%, baseline error_rate 3%\); holding at 25%$/);
    const [entry, ...more] = await sim.audit('rollout.auto_held');
    expect(more).toEqual([]);
    expect(entry!.diff.events[0]).toMatchObject({ type: 'held', cause: 'environment_wide' });
    // A second minute of the same hold is not a new one: still one audit entry.
    await sim.postMinute(S + 6 * MIN, ERRORING, baselineErroring);
    await sim.tick(S + 7 * MIN);
    expect(await sim.audit('rollout.auto_held')).toHaveLength(1);
  }, 30_000);

  it('rolls back a treatment significantly worse than its baseline within two minutes, naming the guard and its evidence', async () => {
    const r = await startAt25();
    const S = sim.T0 + 10 * MIN;
    // 3 % errors against none in the baseline: four times more evidence than needed within two minutes.
    for (let i = 0; i < 2 && (await sim.rollout(r.id)).status === 'running'; i++) {
      await sim.postMinute(S + i * MIN, ERRORING);
      await sim.tick(S + (i + 1) * MIN);
    }
    const rolledBack = await sim.rollout(r.id);
    expect(rolledBack).toMatchObject({ status: 'rolled_back', lastVerdict: { kind: 'breached', trigger: 'errors_vs_baseline' } });
    expect(rolledBack.endedAt).toBeLessThanOrEqual(S + 2 * MIN);
    // Counted since the start: the healthy minutes at 5 %, then the erroring ones at 25 %; none in the baseline.
    expect(rolledBack.lastDecision).toMatch(
      /^rolled back: errors: treatment [\d.]+ % vs baseline 0 % \(n = [\d,]+ \/ [\d,]+\) — evidence [\d,]+ of 150 needed$/,
    );
  }, 30_000);

  it.each<[string, MinuteLoad, 'p95' | 'p99']>([
    ['P95 alone', SLOW_P95, 'p95'],
    ['P99 alone', SLOW_P99, 'p99'],
  ])('rolls back on a sustained %s breach with no errors', async (_name, load, trigger) => {
    await sim.setup();
    const r = await sim.start();
    const T = sim.T0 + 10 * MIN;
    await sim.postMinutesBefore(T, 5, () => load);
    await sim.tick(T);
    const now = await sim.rollout(r.id);
    expect(now).toMatchObject({ status: 'rolled_back', percent: 0, lastVerdict: { kind: 'breached', trigger } });
    const numbers = (now.lastVerdict as { numbers: { errorRate: number; p95Ms: number; p99Ms: number } }).numbers;
    expect(numbers.errorRate).toBe(0);
    if (trigger === 'p95') {
      expect(numbers.p95Ms).toBeGreaterThan(500);
      expect(numbers.p99Ms).toBeLessThan(1000);
    } else {
      expect(numbers.p95Ms).toBeLessThan(500);
      expect(numbers.p99Ms).toBeGreaterThan(1000);
    }
    const [entry] = await sim.audit('rollout.auto_rolled_back');
    expect(entry!.diff.events[0]).toMatchObject({ type: 'rolled_back', trigger, numbers: { errorRate: 0, baseline: { samples: 19_000 } } });
    expect((await kvSnapshotOf())!.flags[FLAG]).not.toHaveProperty('rollout');
  });

  it('measures the time from the breaching tick to KV holding the snapshot without the rollout', async () => {
    await sim.setup();
    const r = await sim.start();
    const T = sim.T0 + 10 * MIN;
    await sim.postMinutesBefore(T, 5, () => ERRORING);
    const versionBefore = (await kvSnapshotOf())!.$rollgate.version;
    expect((await kvSnapshotOf())!.flags[FLAG]!.rollout).toMatchObject({ id: r.id });

    const t0 = realNow();
    await sim.tick(T);
    const snapshot = await kvSnapshotOf();
    const elapsed = realNow() - t0;
    // Rollback publishes before the tick returns: no alarm or retry is needed.
    expect(snapshot!.$rollgate.version).toBeGreaterThan(versionBefore);
    expect(snapshot!.flags[FLAG]).not.toHaveProperty('rollout');
    console.log(`rollback latency: scheduled() on the breaching tick → KV snapshot without the rollout in ${elapsed} ms`);
  });
});
