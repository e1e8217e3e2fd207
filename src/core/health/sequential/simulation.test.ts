/**
 * A small seeded version of `npm run bench -- verdicts`: the error rates the relative guard and
 * the sample-ratio test promise, checked with margin on a few hundred simulated rollouts, so that
 * a change to either test (or to the samplers the simulation draws from) that breaks them fails
 * here. Deterministic: the seeds fix every draw, so a pass is a pass on every run.
 */
import { describe, expect, it } from 'vitest';
import { mulberry32 } from '../../seeded-random';
import { aaSpec, proportion, simulateRollout } from '../../../../bench/lib/verdict-sim';

const ALPHA = 0.01;

describe('simulated rollouts through the sequential tests', () => {
  it('rolls back at most ~1 % of healthy (A/A) rollouts across every stage, far fewer than the old rule', () => {
    const u = mulberry32(2026);
    let relative = 0;
    let oldRule = 0;
    let srm = 0;
    const runs = 600;
    for (let i = 0; i < runs; i++) {
      const o = simulateRollout(aaSpec(u, 120), ALPHA, u); // 5 stages of 2 h
      if (o.relative) relative++;
      if (o.oldRule) oldRule++;
      if (o.sampleRatio) srm++;
    }
    expect(proportion(relative, runs).high).toBeLessThanOrEqual(0.02);
    expect(proportion(srm, runs).high).toBeLessThanOrEqual(0.02);
    expect(oldRule).toBeGreaterThan(relative);
  });

  it("detects 2× and 5× error regressions at the 5 % stage within the issue's budgets in ≥ 90 % of rollouts", () => {
    for (const [treatmentErrorRate, budget] of [
      [0.01, 8500],
      [0.025, 900],
    ] as const) {
      const u = mulberry32(7 + budget);
      const runs = 300;
      let within = 0;
      for (let i = 0; i < runs; i++) {
        const o = simulateRollout(
          { baselineErrorRate: 0.005, treatmentErrorRate, flagRequestsPerMinute: 2000, stages: [{ share: 0.05, minutes: 180 }] },
          ALPHA,
          u,
        );
        if (o.relative && o.relative.treatmentRequests <= budget) within++;
      }
      expect(proportion(within, runs).rate).toBeGreaterThanOrEqual(0.9);
    }
  });

  it("detects a reporter that drops half the treatment's reports in nearly every rollout", () => {
    const u = mulberry32(99);
    const runs = 100;
    let detected = 0;
    for (let i = 0; i < runs; i++) if (simulateRollout({ ...aaSpec(u, 60), treatmentReportKept: 0.5 }, ALPHA, u).sampleRatio) detected++;
    expect(detected).toBeGreaterThanOrEqual(97);
  });
});
