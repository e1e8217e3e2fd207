/**
 * The bake judged through the real metrics path (reports posted to /v1/metrics, the shard, the
 * cron): a bake whose P95 misses the bake criterion (200 ms) while every trigger holds does not
 * complete and does not roll back; the same schedule with healthy reports completes.
 */
import { beforeEach, describe, expect, it } from 'vitest';
import { FLAG, HEALTHY, MIN, type MinuteLoad, type Sim, TREATMENT, kvSnapshotOf } from '../helpers/health-sim';
import { simEachTest } from '../helpers/sim-kit';

let sim: Sim;
simEachTest((s) => (sim = s));
beforeEach(async () => {
  await sim.setup();
});

/** 200 requests, no errors, all at 300 ms: P95 300 ms, over the bake's 200 ms, under the 500 ms trigger. */
const SLOW_FOR_BAKE: MinuteLoad = { count: 200, errors: 0, latencyMs: Array<number>(200).fill(300) };

/** 100 % at once with a 2-minute bake; each minute's reports posted after it, then the cron at the minute's end. */
async function bakeWith(load: MinuteLoad) {
  const r = await sim.start({ stages: [{ percent: 100, afterSeconds: 0 }], bakeSeconds: 120, health: { minSamples: 100, sustainedMinutes: 1 } });
  for (let k = 0; k < 4; k++) {
    sim.at(sim.T0 + k * MIN + 30_000);
    const res = await sim.post([{ flag: FLAG, variant: TREATMENT, timestamp: sim.T0 + k * MIN + 10_000, ...load }]);
    expect(res.status, await res.clone().text()).toBe(202);
    await sim.tick(sim.T0 + (k + 1) * MIN);
  }
  return sim.rollout(r.id);
}

describe('the bake through the real metrics path', () => {
  it('a bake with P95 over 200 ms neither completes nor rolls back after its time', async () => {
    const after = await bakeWith(SLOW_FOR_BAKE);
    expect(after).toMatchObject({
      status: 'running',
      percent: 100,
      lastVerdict: { kind: 'healthy' },
      lastDecision: expect.stringMatching(/^waiting: bake criteria not met \(p95 \d+ ms ≥ 200 ms\); holding at 100%$/),
    });
    expect(after.bakeStartedAt).not.toBeNull();
    expect((await kvSnapshotOf())!.flags[FLAG]!.rollout).toMatchObject({ percent: 100 });
  });

  it('the same bake with healthy reports completes', async () => {
    expect(await bakeWith(HEALTHY)).toMatchObject({ status: 'completed' });
  });
});
