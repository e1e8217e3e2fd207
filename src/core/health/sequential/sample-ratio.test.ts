import { describe, expect, it } from 'vitest';
import { MAX_PERIOD_COUNT } from './conditional-binomial';
import {
  advanceSampleRatio,
  initialSampleRatio,
  sampleRatioEvidence,
  sampleRatioLogEvidence,
  sampleRatioMismatch,
  SRM_RATIOS,
  type SamplePeriod,
} from './sample-ratio';

const period = (treatmentRequests: number, baselineRequests: number, expectedShare: number): SamplePeriod => ({
  treatmentRequests,
  baselineRequests,
  expectedShare,
});
const feed = (periods: SamplePeriod[]) => periods.reduce(advanceSampleRatio, initialSampleRatio());

describe('sample-ratio test', () => {
  it('starts at evidence 1, with alternatives on both sides of the expected share', () => {
    expect(sampleRatioEvidence(initialSampleRatio())).toBe(1);
    expect(SRM_RATIOS.some((r) => r < 1) && SRM_RATIOS.some((r) => r > 1)).toBe(true);
  });

  it("finds a reporter that drops half the treatment's reports (5 % stage reads as 2.6 %)", () => {
    const s = feed(Array.from({ length: 10 }, () => period(50, 1900, 0.05)));
    expect(sampleRatioMismatch(s, 0.01)).toBe(true);
  });

  it('finds too many treatment reports as well (two-sided)', () => {
    const s = feed(Array.from({ length: 10 }, () => period(200, 1900, 0.05)));
    expect(sampleRatioMismatch(s, 0.01)).toBe(true);
  });

  it('does not fire on the expected share, and its evidence falls there', () => {
    const s = feed(Array.from({ length: 60 }, () => period(100, 1900, 0.05)));
    expect(sampleRatioMismatch(s, 0.01)).toBe(false);
    expect(sampleRatioLogEvidence(s)).toBeLessThan(0);
    expect(s.expectedTreatment).toBeCloseTo(6000, 9);
  });

  it('follows the share from period to period (stages change it)', () => {
    const s = feed([period(50, 950, 0.05), period(100, 900, 0.1), period(250, 750, 0.25), period(500, 500, 0.5)]);
    expect(sampleRatioMismatch(s, 0.01)).toBe(false);
    expect(s.expectedTreatment).toBeCloseTo(900, 9);
  });

  it('learns nothing at 0 % or 100 % or without reports, and rejects bad periods', () => {
    const s = feed([
      period(0, 1000, 0),
      period(1000, 0, 1),
      period(0, 0, 0.3),
      period(5, 5, 1.5),
      period(5, 5, Number.NaN),
      period(-1, 5, 0.5),
      period(1.5, 5, 0.5),
    ]);
    expect(s.logLR.every((l) => l === 0)).toBe(true);
    expect(s.rejected).toBe(4);
    expect(s.periods).toBe(7);
  });

  it('stays finite over extremes, and a JSON round trip resumes exactly', () => {
    const M = MAX_PERIOD_COUNT;
    const extremes = [period(M, 0, 1e-9), period(0, M, 1 - 1e-9), period(M, M, 0.5), period(M, 1, 0.999999)];
    let s = initialSampleRatio();
    for (let i = 0; i < 2000; i++) s = advanceSampleRatio(s, extremes[i % extremes.length]!);
    for (const n of [...s.logLR, sampleRatioLogEvidence(s), sampleRatioEvidence(s), s.treatmentRequests, s.baselineRequests, s.expectedTreatment]) {
      expect(Number.isFinite(n)).toBe(true);
    }
    const periods = [period(40, 960, 0.05), period(120, 880, 0.1)];
    expect(advanceSampleRatio(JSON.parse(JSON.stringify(feed(periods.slice(0, 1)))), periods[1]!)).toEqual(feed(periods));
  });
});
