/**
 * Seams between the parts of issue 9 that the review checked and that held: rows stored before the
 * bounds, broken rows and the config guard.
 */
import { reset, runInDurableObject } from 'cloudflare:test';
import { env } from 'cloudflare:workers';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { admin } from '../helpers/admin';
import { configWith } from '../helpers/coordinator';
import { ENV, FLAG, kvSnapshotOf, MIN, Sim } from '../helpers/health-sim';

let sim: Sim;
beforeEach(() => {
  sim = new Sim();
});
afterEach(async () => {
  sim.clock.restore();
  await reset();
});

async function rewriteRow(id: string, change: (data: Record<string, any>) => void): Promise<void> {
  await runInDurableObject(env.COORDINATOR.getByName(ENV), (_instance, state) => {
    const row = state.storage.sql.exec<{ data: string }>('SELECT data FROM rollouts WHERE id = ?', id).one();
    const data = JSON.parse(row.data) as Record<string, any>;
    change(data);
    state.storage.sql.exec('UPDATE rollouts SET data = ? WHERE id = ?', JSON.stringify(data), id);
  });
}

describe('a rollout stored before the bounds (a stage 100 days out) reads as broken', () => {
  it('is held and shown, the admin plane answers, only rollback applies, and the flag can be rolled out again', async () => {
    await sim.setup();
    const old = await sim.start();
    await rewriteRow(old.id, (d) => {
      d['plan']['stages'][1]['afterSeconds'] = 100 * 24 * 3600;
      d['plan']['bakeSeconds'] = 95 * 24 * 3600;
    });
    await sim.tick(sim.T0 + MIN);
    const summary = await sim.summary();
    expect(summary.activeRollouts).toEqual([expect.objectContaining({ id: old.id, broken: expect.stringContaining('/plan/'), tickError: expect.any(Object) })]);
    expect((await admin(sim.h, 'GET', `/environments/${ENV}/rollouts/${old.id}`)).status).toBe(200);
    expect((await admin(sim.h, 'GET', `/environments/${ENV}/rollouts`)).status).toBe(200);
    expect((await kvSnapshotOf())!.flags[FLAG]).not.toHaveProperty('rollout');
    const promote = await admin(sim.h, 'POST', `/environments/${ENV}/rollouts/${old.id}/promote`, { body: { reason: 'x' } });
    expect(promote.status).toBe(409);
    const again = await admin(sim.h, 'POST', `/environments/${ENV}/rollouts`, { body: { flag: FLAG, variant: 'on', strategy: 'safe' } });
    expect(again.status).toBe(409);
    // A config write that keeps the flag is not blocked by the broken row.
    const put = await admin(sim.h, 'PUT', `/environments/${ENV}/flags`, { body: configWith((c) => (c.metadata = { ...(c.metadata ?? {}), note: 'x' })) });
    expect(put.status, await put.clone().text()).toBe(200);
    const rb = await admin(sim.h, 'POST', `/environments/${ENV}/rollouts/${old.id}/rollback`, { body: { reason: 'stored before the bounds' } });
    expect(rb.status).toBe(200);
    expect(await rb.json()).toMatchObject({ status: 'rolled_back', changed: true });
    sim.at(sim.T0 + 2 * MIN);
    await sim.start();
    await sim.tick(sim.T0 + 3 * MIN);
    expect((await sim.summary()).activeRollouts).toEqual([expect.objectContaining({ status: 'running' })]);
  });
});
