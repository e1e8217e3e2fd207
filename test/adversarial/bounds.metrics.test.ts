/**
 * Issue 9 §2, "every number is finite and bounded where it enters", for health reports
 * (POST /v1/metrics): a sketch bin beyond one hour, counts over the bound, non-integer bin counts
 * and variants the flag does not have answer 422 at their pointers and store nothing; verdicts stay
 * finite at the top of the range; the admin plane, rollouts and the cron tick keep working.
 */
import { describe, expect, it } from 'vitest';
import { MAX_BIN, MAX_REPORT_COUNT } from '../../src/core/schema/metrics';
import { admin } from '../helpers/admin';
import { json } from '../helpers/admin-kit';
import { boundsEachTest } from '../helpers/bounds-kit';
import { ENV, expectStatus, MIN, type Sim } from '../helpers/health-sim';
import { NOTHING } from '../helpers/sim-kit';

let sim: Sim;
const { stored, report, stillWorking } = boundsEachTest((s) => (sim = s));

describe('metrics: a sketch bin beyond one hour (the Infinity-sketch attack)', () => {
  it('answers 422 naming the report and the bin, stores nothing, and the environment keeps working', async () => {
    const started = await sim.start();
    const res = await sim.post([report(), report({ latencyMs: { bins: { '20000': 1 } } })]);
    expect(res.status).toBe(422);
    expect((await json(res)).errors).toEqual([{ index: 1, path: '/reports/1/latencyMs/bins/20000', message: expect.stringContaining(`above ${MAX_BIN}`) }]);
    expect(await stored('on')).toEqual(NOTHING);
    await stillWorking();
    expect((await sim.rollout(started.id)).lastVerdict).not.toBeNull();
    // Rollback still works, and another rollout can start afterwards.
    await expectStatus(admin(sim.h, 'POST', `/environments/${ENV}/rollouts/${started.id}/rollback`, { body: { reason: 'test' } }), 200);
    await sim.start();
  });

  it('keeps verdicts finite at the very top of the range: the slowest legal reports roll back, and rollouts still read', async () => {
    const started = await sim.start();
    const top = { count: MAX_REPORT_COUNT, errors: 0, latencyMs: { bins: { [MAX_BIN]: MAX_REPORT_COUNT } } };
    await sim.postMinutesBefore(sim.T0 + 6 * MIN, 5, () => top, null);
    await sim.tick(sim.T0 + 6 * MIN);
    const after = await sim.rollout(started.id);
    expect(after).toMatchObject({ status: 'rolled_back', lastVerdict: { kind: 'breached', trigger: 'p95' } });
    expect(Number.isFinite(after.lastVerdict!.kind === 'breached' ? after.lastVerdict!.numbers.p95Ms : NaN)).toBe(true);
    await stillWorking();
  });

  it('refuses counts over the bound and non-integer bin counts', async () => {
    const res = await sim.post([report({ count: MAX_REPORT_COUNT + 1 }), report({ count: 5, errors: 0, latencyMs: { bins: { '5': 0.5 } } })]);
    expect(res.status).toBe(422);
    expect((await json(res)).errors.map((e: any) => e.path)).toEqual(['/reports/0/count', '/reports/1/latencyMs/bins/5']);
    expect(await stored('on')).toEqual(NOTHING);
  });
});

describe('metrics: a report for a variant the flag does not have', () => {
  it('answers 422 at /variant and stores nothing from the batch', async () => {
    const res = await sim.post([report({ variant: 'off' }), report({ variant: 'maybe' }), report({ variant: 'toString' })]);
    expect(res.status).toBe(422);
    expect((await json(res)).errors.map((e: any) => e.path)).toEqual(['/reports/1/variant', '/reports/2/variant']);
    expect(await stored('off')).toEqual(NOTHING);
    expect(await stored('maybe')).toEqual(NOTHING);
    await stillWorking();
  });
});
