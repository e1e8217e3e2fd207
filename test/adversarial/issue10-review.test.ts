import { beforeEach, describe, expect, it } from 'vitest';
import type { StoredRolloutView } from '../../src/coordinator/rollout-ops';
import { admin } from '../helpers/admin';
import { rewriteRolloutRow } from '../helpers/coordinator';
import { BASELINE, ENV, FLAG, HEALTHY, MIN, type Sim } from '../helpers/health-sim';
import { simEachTest } from '../helpers/sim-kit';

// A review of the verdicts that compare the treatment with its baseline (issue 10), end to end.
let sim: Sim;
simEachTest((s) => (sim = s));
beforeEach(async () => {
  await sim.setup();
});

/** 5 % at once, 25 % after 10 minutes, 100 % after a day; 1 h bake. */
const TO_25 = {
  stages: [
    { percent: 5, afterSeconds: 0 },
    { percent: 25, afterSeconds: 600 },
    { percent: 100, afterSeconds: 86_400 },
  ],
  bakeSeconds: 3600,
};

describe('issue 10 review: rollouts against their baseline', () => {
  it('refuses a rollout whose variant is its own baseline: both cohorts would read the same reports, and the sample ratio would hold it forever', async () => {
    for (const body of [
      { flag: FLAG, variant: BASELINE, strategy: 'safe' }, // the flag's default variant
      { flag: FLAG, variant: 'on', baselineVariant: 'on', strategy: 'safe' },
    ]) {
      const res = await admin(sim.h, 'POST', `/environments/${ENV}/rollouts`, { body });
      expect(res.status, await res.clone().text()).toBe(422);
      expect(await res.json()).toMatchObject({ errors: [{ path: '/variant' }] });
    }
    const list = await admin(sim.h, 'GET', `/environments/${ENV}/rollouts`);
    expect((await list.json<{ rollouts: unknown[] }>()).rollouts).toEqual([]);
  });

  it('ticks a row stored before the guards and their thresholds existed, and one whose guards are damaged: both start their evidence afresh', async () => {
    const r = await sim.start(TO_25);
    await rewriteRolloutRow(ENV, r.id, (data) => {
      delete data['guards'];
      delete data['plan'].health.alpha;
      delete data['plan'].health.onEnvironmentWide;
    });
    const T = sim.T0 + 10 * MIN;
    await sim.postMinutesBefore(T, 5, () => HEALTHY);
    await sim.tick(T);
    const promoted = await sim.rollout(r.id);
    expect(promoted).toMatchObject({ status: 'running', percent: 25, plan: { health: { alpha: 0.01, onEnvironmentWide: 'hold' } } });
    expect(promoted.lastVerdict?.kind).toBe('healthy');

    await rewriteRolloutRow(ENV, r.id, (data) => {
      data['guards'] = { through: 'yesterday', errors: { logLR: [Number.MAX_VALUE, 1] } };
    });
    const damaged = await admin(sim.h, 'GET', `/environments/${ENV}/rollouts/${r.id}`);
    expect((await damaged.json<StoredRolloutView>()) as object).not.toHaveProperty('broken');
    await sim.postMinutesBefore(T + 5 * MIN, 5, () => HEALTHY);
    await sim.tick(T + 5 * MIN);
    const after = await sim.rollout(r.id);
    expect(after).toMatchObject({ status: 'running', percent: 25 });
    expect(after.lastVerdict?.numbers?.guards?.find((g) => g.guard === 'errors')?.treatment.requests).toBeGreaterThan(0);
  });
});
