import { reset } from 'cloudflare:test';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { admin } from '../helpers/admin';
import { BASELINE, baselineFor, FLAG, HEALTHY, MIN, type MinuteLoad, type Report, Sim, TREATMENT, kvSnapshotOf } from '../helpers/health-sim';

// A rollout started 20 s into a minute: its first minute is partial. Reports stamped after the
// start count (that minute included); reports stamped before it are about something else.
let sim: Sim;
let start: number;

beforeEach(async () => {
  sim = new Sim();
  await sim.setup();
  start = sim.at(sim.T0 + 20_000);
});
afterEach(async () => {
  sim.clock.restore();
  await reset();
});

/** 200 requests with 20 % errors. */
const FAILING: MinuteLoad = { ...HEALTHY, errors: 40 };

/** Posts `load` for the treatment (and HEALTHY for the baseline) stamped at `stamp`, at the current clock. */
/** The baseline's load of the same minute at the 5 % stage, erring alike: the comparison with it has no evidence, so only the limits judge. */
const alike = (load: MinuteLoad): MinuteLoad => ({ ...baselineFor(load, 5), errors: load.errors * 19 });

async function postAt(stamp: number, load: MinuteLoad, baseline: MinuteLoad | null = alike(load)): Promise<void> {
  const reports: Report[] = [{ flag: FLAG, variant: TREATMENT, timestamp: stamp, ...load }];
  if (baseline) reports.push({ flag: FLAG, variant: BASELINE, timestamp: stamp, ...baseline });
  const res = await sim.post(reports);
  expect(res.status, await res.clone().text()).toBe(202);
}

async function startRollout(health: Record<string, unknown>) {
  // Both cohorts err alike here: roll back on the limits rather than hold as environment-wide.
  const r = await sim.start({ health: { minSamples: 100, onEnvironmentWide: 'rollback', ...health } });
  expect(r.startedAt).toBe(start);
  return r;
}

describe("reports stamped in a rollout's first minute count", () => {
  it('rolls back at the first tick after the first minute completes: 20 % errors stamped start+10 s, sustainedMinutes 1', async () => {
    const r = await startRollout({ sustainedMinutes: 1 });
    sim.at(start + 15_000);
    await postAt(start + 10_000, FAILING);
    await sim.tick(sim.T0 + MIN);
    const after = await sim.rollout(r.id);
    expect(after).toMatchObject({
      status: 'rolled_back',
      percent: 0,
      lastVerdict: { kind: 'breached', trigger: 'error_rate', numbers: { samples: 200, errorRate: 0.2 } },
    });
    expect((await kvSnapshotOf())!.flags[FLAG]).not.toHaveProperty('rollout');
    expect((await admin(sim.h, 'GET', '/environments')).status).toBe(200);
  });

  it('leaves out reports stamped before the start, in the same minute: start−10 s with 20 % errors does not roll back', async () => {
    const r = await startRollout({ sustainedMinutes: 1 });
    sim.at(start + 15_000);
    await postAt(start - 10_000, FAILING, null);
    await postAt(start + 10_000, HEALTHY);
    await sim.tick(sim.T0 + MIN);
    const after = await sim.rollout(r.id);
    expect(after.status).toBe('running');
    // Only the 200 healthy reports stamped after the start are judged.
    expect(after.lastVerdict).toMatchObject({ kind: 'healthy', numbers: { samples: 200, errorRate: 0 } });
  });

  it('treats the partial first minute as one of sustainedMinutes only when it alone has minSamples', async () => {
    const r = await startRollout({ sustainedMinutes: 2 });
    sim.at(start + 15_000);
    await postAt(start + 10_000, FAILING);
    await sim.tick(sim.T0 + MIN);
    // One breaching minute of two: hold, not yet roll back.
    expect(await sim.rollout(r.id)).toMatchObject({ status: 'running', lastVerdict: { kind: 'degraded', trigger: 'error_rate' } });
    sim.at(sim.T0 + MIN + 30_000);
    await postAt(sim.T0 + MIN + 30_000, FAILING);
    await sim.tick(sim.T0 + 2 * MIN);
    expect(await sim.rollout(r.id)).toMatchObject({
      status: 'rolled_back',
      lastVerdict: { kind: 'breached', trigger: 'error_rate', numbers: { samples: 400 } },
    });
  });

  it('does not count a partial first minute under minSamples as a sustained minute, but holds on it', async () => {
    const r = await startRollout({ sustainedMinutes: 1, minSamples: 300 });
    sim.at(start + 15_000);
    await postAt(start + 10_000, FAILING);
    await sim.tick(sim.T0 + MIN);
    expect(await sim.rollout(r.id)).toMatchObject({ status: 'running', lastVerdict: { kind: 'insufficient-data', samples: 200, required: 300 } });
  });
});
