import { describe, expect, it } from 'vitest';
import { MAX_PERIOD_COUNT } from './conditional-binomial';
import {
  advanceRelative,
  initialRelativeGuard,
  RELATIVE_RATIOS,
  relativeEvidence,
  relativeGuardFails,
  relativeLogEvidence,
  type RelativePeriod,
} from './relative-guard';

const period = (treatmentRequests: number, treatmentEvents: number, baselineRequests: number, baselineEvents: number): RelativePeriod => ({
  treatmentRequests,
  treatmentEvents,
  baselineRequests,
  baselineEvents,
});
const feed = (periods: RelativePeriod[]) => periods.reduce(advanceRelative, initialRelativeGuard());

describe('relative guard', () => {
  it('starts at evidence 1 with one zero sum per ratio', () => {
    const s = initialRelativeGuard();
    expect(s.logLR).toEqual(RELATIVE_RATIOS.map(() => 0));
    expect(relativeEvidence(s)).toBe(1);
    expect(relativeGuardFails(s, 0.01)).toBe(false);
  });

  it("sums each ratio's conditional binomial log LR and mixes them with equal weights", () => {
    const s = feed([period(100, 3, 1900, 4)]);
    expect(s.logLR[RELATIVE_RATIOS.indexOf(2)]).toBeCloseTo(1.737910392493812, 12);
    const mean = s.logLR.reduce((sum, l) => sum + Math.exp(l), 0) / RELATIVE_RATIOS.length;
    expect(relativeEvidence(s)).toBeCloseTo(mean, 12);
    expect(s.totals).toEqual(period(100, 3, 1900, 4));
  });

  it("fails a treatment with twice the baseline's error rate and not one with the same rate", () => {
    const worse = feed(Array.from({ length: 60 }, () => period(200, 2, 3800, 19))); // 1 % vs 0.5 %
    expect(relativeGuardFails(worse, 0.01)).toBe(true);
    const same = feed(Array.from({ length: 60 }, () => period(200, 1, 3800, 19))); // 0.5 % vs 0.5 %
    expect(relativeGuardFails(same, 0.01)).toBe(false);
    expect(relativeEvidence(same)).toBeLessThan(1);
  });

  it('is one-sided: a better treatment lowers the evidence', () => {
    const better = feed(Array.from({ length: 60 }, () => period(2000, 0, 2000, 40)));
    expect(relativeLogEvidence(better)).toBeLessThan(-1);
    expect(relativeGuardFails(better, 0.01)).toBe(false);
  });

  it('learns nothing from periods without events or without exposure in a cohort', () => {
    const s = feed([period(100, 0, 1900, 0), period(0, 0, 500, 7), period(300, 4, 0, 0)]);
    expect(s.logLR.every((l) => l === 0)).toBe(true);
    expect(s.periods).toBe(3);
    expect(s.rejected).toBe(0);
  });

  it('does not depend on how periods are split into calls: incremental equals one pass, and a JSON round trip resumes exactly', () => {
    const periods = [period(120, 2, 2280, 9), period(90, 0, 1710, 11), period(150, 5, 2850, 12)];
    const direct = feed(periods);
    const resumed = advanceRelative(JSON.parse(JSON.stringify(feed(periods.slice(0, 2)))), periods[2]!);
    expect(resumed).toEqual(direct);
  });

  it('does not change the state it is given', () => {
    const s = feed([period(100, 3, 1900, 4)]);
    const copy = structuredClone(s);
    advanceRelative(s, period(100, 9, 1900, 1));
    advanceRelative(s, period(-1, 0, 0, 0));
    expect(s).toEqual(copy);
  });

  it('rejects invalid periods as no information, and never produces NaN or Infinity over extremes', () => {
    const bad = [
      period(Number.NaN, 0, 10, 0),
      period(10, Infinity, 10, 0),
      period(10, 0, -5, 0),
      period(10.5, 1, 10, 0),
      period(10, 11, 10, 0), // more events than requests
      period(10, 0, 10, 11),
      period(MAX_PERIOD_COUNT + 1, 0, 10, 0),
    ];
    const rejected = feed(bad);
    expect(rejected.rejected).toBe(bad.length);
    expect(rejected.logLR.every((l) => l === 0)).toBe(true);
    expect(rejected.totals).toEqual(period(0, 0, 0, 0));

    const M = MAX_PERIOD_COUNT;
    const extremes = [
      period(M, M, 1, 0),
      period(1, 0, M, M),
      period(M, M, M, 0),
      period(M, 0, M, M),
      period(1, 1, M, 0),
      period(M, 0, 1, 1),
      period(M, M, M, M),
    ];
    let s = initialRelativeGuard();
    for (let i = 0; i < 2000; i++) s = advanceRelative(s, extremes[i % extremes.length]!);
    for (const n of [...s.logLR, relativeLogEvidence(s), relativeEvidence(s), ...Object.values(s.totals)]) expect(Number.isFinite(n)).toBe(true);
    // All treatment events against none in the baseline, at any exposure: overwhelming and finite.
    const damning = feed(Array.from({ length: 1000 }, () => period(M, M, M, 0)));
    expect(relativeEvidence(damning)).toBe(Math.exp(700));
    expect(relativeGuardFails(damning, 0.01)).toBe(true);
  });
});
