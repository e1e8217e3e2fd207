/**
 * A small seeded version of `npm run bench -- verdicts`: the error rates the health rule promises,
 * checked with margin on simulated rollouts replayed through the real verdict code (the guards as
 * the cron advances them, then the policy with the default limits), so that a change to the rule
 * (or to the samplers the simulation draws from) that breaks them fails here. Deterministic: the
 * seeds fix every draw, so a pass is a pass on every run.
 */
import { describe, expect, it } from 'vitest';
import { mulberry32 } from '../../../../test/helpers/seeded-random';
import { aaSpec, proportion, type RolloutSpec, simulateRollout } from '../../../../bench/lib/verdict-sim';

const at5 = (spec: Partial<RolloutSpec>, minutes: number): RolloutSpec => ({
  baselineErrorRate: 0.005,
  treatmentErrorRate: 0.005,
  flagRequestsPerMinute: 2000,
  stages: [{ share: 0.05, minutes }],
  ...spec,
});

describe('simulated rollouts through the health rule', () => {
  it('rolls back at most ~1 % of healthy (A/A) rollouts across every stage, far fewer than the old rule', () => {
    const u = mulberry32(2026);
    let rollbacks = 0;
    let oldRule = 0;
    let srm = 0;
    const runs = 300;
    for (let i = 0; i < runs; i++) {
      const o = simulateRollout(aaSpec(u, 60), u); // 5 stages of 1 h
      if (o.rollback) rollbacks++;
      if (o.oldRule) oldRule++;
      if (o.sampleRatioHold) srm++;
    }
    expect(proportion(rollbacks, runs).high).toBeLessThanOrEqual(0.025);
    expect(proportion(srm, runs).high).toBeLessThanOrEqual(0.025);
    expect(oldRule).toBeGreaterThan(rollbacks + 10);
  });

  it('rolls back 2× and 5× error regressions at the 5 % stage within the budgets in ≥ 90 % of rollouts', () => {
    for (const [treatmentErrorRate, budget] of [
      [0.01, 8500],
      [0.025, 900],
    ] as const) {
      const u = mulberry32(7 + budget);
      const runs = 150;
      let within = 0;
      for (let i = 0; i < runs; i++) {
        const o = simulateRollout(at5({ treatmentErrorRate }, 180), u);
        if (o.rollback && o.rollback.treatmentRequests <= budget) within++;
      }
      expect(proportion(within, runs).rate).toBeGreaterThanOrEqual(0.9);
    }
  });

  it('rolls back a doubled P95 on the P95 guard within 700 treatment requests', () => {
    const u = mulberry32(95);
    const runs = 40;
    let within = 0;
    for (let i = 0; i < runs; i++) {
      const o = simulateRollout(at5({ latency: { medianMs: 80, sigma: 0.6, treatmentFactor: 2 } }, 30), u);
      if (o.rollback?.trigger === 'p95_vs_baseline' && o.rollback.treatmentRequests <= 700) within++;
    }
    expect(within).toBeGreaterThanOrEqual(38);
  });

  it('holds, never rolls back, when both cohorts err at 3 % (environment-wide)', () => {
    const u = mulberry32(3);
    const runs = 100;
    let rollbacks = 0;
    let holds = 0;
    for (let i = 0; i < runs; i++) {
      const o = simulateRollout({ ...aaSpec(u, 30), baselineErrorRate: 0.03, treatmentErrorRate: 0.03 }, u);
      if (o.rollback) rollbacks++;
      if (o.environmentHold) holds++;
    }
    expect(rollbacks).toBeLessThanOrEqual(2);
    expect(holds).toBeGreaterThanOrEqual(90);
  });

  it("holds for a reporter that drops half the treatment's reports in nearly every rollout", () => {
    const u = mulberry32(99);
    const runs = 100;
    let detected = 0;
    for (let i = 0; i < runs; i++) if (simulateRollout({ ...aaSpec(u, 30), treatmentReportKept: 0.5 }, u).sampleRatioHold) detected++;
    expect(detected).toBeGreaterThanOrEqual(97);
  });
});
