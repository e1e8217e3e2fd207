/**
 * A metrics shard that fails when the tick asks it for signals: the tick goes on, the rollout holds
 * (no data is never a pass, never a rollback either), and the next tick with a working shard judges
 * the reports that arrived meanwhile.
 */
import { runInDurableObject } from 'cloudflare:test';
import { env } from 'cloudflare:workers';
import { beforeEach, describe, expect, it } from 'vitest';
import { gatherHealth } from '../../src/coordinator/gather-health';
import { gatheredJudge } from '../../src/coordinator/judges';
import type { RolloutCoordinator } from '../../src/coordinator/rollout-coordinator';
import type { MetricsShard } from '../../src/metrics/metrics-shard';
import { admin } from '../helpers/admin';
import { BASELINE, baselineFor, ENV, FLAG, HEALTHY, MIN, type MinuteLoad, type Sim, TREATMENT, kvSnapshotOf } from '../helpers/health-sim';
import { simEachTest } from '../helpers/sim-kit';

let sim: Sim;
simEachTest((s) => (sim = s));
beforeEach(async () => {
  await sim.setup();
});

/** 200 requests with 20 % errors. */
const FAILING: MinuteLoad = { ...HEALTHY, errors: 40 };

/** A metrics namespace whose every shard fails to answer. */
const brokenMetrics = {
  getByName: () => ({ signals: () => Promise.reject(new Error('metrics shard overloaded (test)')) }),
} as unknown as DurableObjectNamespace<MetricsShard>;

/** Makes the coordinator's ticks ask `metrics` for signals (the rest as in production). */
async function useMetrics(metrics: DurableObjectNamespace<MetricsShard>): Promise<void> {
  await runInDurableObject(env.COORDINATOR.getByName(ENV), (instance: RolloutCoordinator) => {
    instance.deps.assess = async (s, now) => {
      const gathered = await gatherHealth(s, metrics, instance.deps.probeFetch, now, undefined);
      return { judge: gatheredJudge(gathered, now), gathered };
    };
  });
}

async function postMinute(stamp: number): Promise<void> {
  // Both cohorts err alike: the limits judge (onEnvironmentWide: rollback), not the comparison.
  const baseline = { ...baselineFor(FAILING, 5), errors: FAILING.errors * 19 };
  const res = await sim.post([
    { flag: FLAG, variant: TREATMENT, timestamp: stamp, ...FAILING },
    { flag: FLAG, variant: BASELINE, timestamp: stamp, ...baseline },
  ]);
  expect(res.status, await res.clone().text()).toBe(202);
}

describe('a tick whose metrics shard fails', () => {
  it('holds the rollout without failing the tick; with the shard back, the next tick rolls back on the reports', async () => {
    const start = sim.at(sim.T0 + 20_000);
    const r = await sim.start({ health: { minSamples: 100, sustainedMinutes: 1, onEnvironmentWide: 'rollback' } });
    await useMetrics(brokenMetrics);
    sim.at(start + 15_000);
    await postMinute(start + 10_000);

    await sim.tick(sim.T0 + MIN);
    expect(await sim.rollout(r.id)).toMatchObject({ status: 'running', percent: 5 });
    expect((await kvSnapshotOf())!.flags[FLAG]!.rollout).toMatchObject({ id: r.id, percent: 5 });
    expect((await admin(sim.h, 'GET', '/environments')).status).toBe(200);

    await useMetrics(env.METRICS);
    sim.at(sim.T0 + MIN + 15_000);
    await postMinute(sim.T0 + MIN + 10_000);
    await sim.tick(sim.T0 + 2 * MIN);
    expect(await sim.rollout(r.id)).toMatchObject({ status: 'rolled_back', percent: 0, lastVerdict: { kind: 'breached', trigger: 'error_rate' } });
    expect((await kvSnapshotOf())!.flags[FLAG]).not.toHaveProperty('rollout');
  });
});
