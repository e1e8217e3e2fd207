/**
 * Issue 9 §2 for rollout bodies: durations of 9e12 seconds, bakes past 90 days and unbounded
 * health limits answer 422 with their path and commit nothing (no rollout, no audit entry, ticks go
 * on), the longest legal plan starts with valid dates, and the action body (fromStage, reason) is
 * bounded too.
 */
import { describe, expect, it } from 'vitest';
import { admin } from '../helpers/admin';
import { json } from '../helpers/admin-kit';
import { boundsEachTest } from '../helpers/bounds-kit';
import { ENV, FLAG, type Sim } from '../helpers/health-sim';

let sim: Sim;
const { rollouts, stillWorking } = boundsEachTest((s) => (sim = s));

describe('rollouts: durations of 9e12 seconds', () => {
  it('answers 422 with the path and commits nothing: no rollout, no audit entry, ticks go on', async () => {
    const auditBefore = await sim.audit();
    const bodies: Array<[Record<string, unknown>, string]> = [
      [
        {
          stages: [
            { percent: 50, afterSeconds: 0 },
            { percent: 100, afterSeconds: 9e12 },
          ],
        },
        '/stages/1/afterSeconds',
      ],
      [{ bakeSeconds: 9e12 }, '/bakeSeconds'],
      [{ bakeSeconds: 90 * 86_400 + 1 }, '/bakeSeconds'],
      [{ health: { maxP99Ms: 1e308 } }, '/health/maxP99Ms'],
      [{ health: { minSamples: 1e15 } }, '/health/minSamples'],
    ];
    for (const [extra, path] of bodies) {
      const res = await admin(sim.h, 'POST', `/environments/${ENV}/rollouts`, { body: { flag: FLAG, variant: 'on', strategy: 'safe', ...extra } });
      expect(res.status, JSON.stringify(extra)).toBe(422);
      expect(
        (await json(res)).errors.map((e: any) => e.path),
        JSON.stringify(extra),
      ).toEqual([path]);
    }
    expect(await rollouts()).toEqual([]);
    expect(await sim.audit()).toEqual(auditBefore);
    await stillWorking();
    // The longest legal plan starts, and its dates are valid.
    const longest = await sim.start({
      stages: [
        { percent: 1, afterSeconds: 0 },
        { percent: 100, afterSeconds: 90 * 86_400 },
      ],
      bakeSeconds: 90 * 86_400,
    });
    expect(Date.parse(longest.nextPromotionAt!)).toBe(longest.startedAt + 90 * 86_400_000);
    await stillWorking();
  });

  it('bounds the action body: fromStage and the reason', async () => {
    const started = await sim.start();
    for (const body of [{ reason: 'x', fromStage: 1e12 }, { reason: 'x'.repeat(1001) }]) {
      expect((await admin(sim.h, 'POST', `/environments/${ENV}/rollouts/${started.id}/promote`, { body })).status).toBe(422);
    }
    expect(await sim.rollout(started.id)).toMatchObject({ stageIndex: 0, status: 'running' });
  });
});
