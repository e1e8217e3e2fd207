/**
 * A seam between the parts of issue 9: rollout rows stored before the input bounds existed.
 */
import { describe, expect, it } from 'vitest';
import { admin } from '../helpers/admin';
import { configWith, rewriteRolloutRow } from '../helpers/coordinator';
import { ENV, FLAG, kvSnapshotOf, MIN, type Sim } from '../helpers/health-sim';
import { simEachTest } from '../helpers/sim-kit';

let sim: Sim;
simEachTest((s) => (sim = s));

const rewriteRow = (id: string, change: (data: Record<string, any>) => void): Promise<void> => rewriteRolloutRow(ENV, id, change);

describe('a rollout stored before the bounds (a stage 100 days out, a 95-day bake, a 2-hour P95 limit) keeps running', () => {
  it('reads and ticks as before, keeps its flag in the snapshot, and an operator can still act on it', async () => {
    await sim.setup();
    const old = await sim.start();
    await rewriteRow(old.id, (d) => {
      d['plan']['stages'][1]['afterSeconds'] = 100 * 24 * 3600;
      d['plan']['bakeSeconds'] = 95 * 24 * 3600;
      d['plan']['health']['maxP95Ms'] = 2 * 3_600_000;
    });
    await sim.tick(sim.T0 + MIN);
    const summary = await sim.summary();
    expect(summary.activeRollouts).toEqual([expect.objectContaining({ id: old.id, status: 'running', percent: 5 })]);
    expect(summary.activeRollouts[0]).not.toHaveProperty('broken');
    expect(summary.activeRollouts[0]).not.toHaveProperty('tickError');
    expect(summary.activeRollouts[0].nextPromotionAt).toBe(new Date(sim.T0 + 100 * 24 * 3600 * 1000).toISOString());
    // The upgrade took nothing from the users in the rollout.
    expect((await kvSnapshotOf())!.flags[FLAG]!.rollout).toMatchObject({ id: old.id, percent: 5 });
    // New requests are held to the bounds all the same.
    const again = await admin(sim.h, 'POST', `/environments/${ENV}/rollouts`, {
      body: { flag: 'static-bool', variant: 'off', strategy: 'safe', bakeSeconds: 95 * 24 * 3600 },
    });
    expect(again.status).toBe(422);
    const put = await admin(sim.h, 'PUT', `/environments/${ENV}/flags`, { body: configWith((c) => (c.metadata = { ...(c.metadata ?? {}), note: 'x' })) });
    expect(put.status, await put.clone().text()).toBe(200);
    const rb = await admin(sim.h, 'POST', `/environments/${ENV}/rollouts/${old.id}/rollback`, { body: { reason: 'stored before the bounds' } });
    expect(rb.status).toBe(200);
    expect(await rb.json()).toMatchObject({ status: 'rolled_back', changed: true });
  });
});
