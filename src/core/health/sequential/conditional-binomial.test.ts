import { describe, expect, it } from 'vitest';
import { evidenceOf, isCount, logMeanExp, logThreshold, MAX_PERIOD_COUNT, periodLogLR } from './conditional-binomial';

/** Binomial pmf by logs, for exact expectations over small totals. */
function binomialPmf(k: number, n: number, p: number): number {
  let logC = 0;
  for (let i = 1; i <= k; i++) logC += Math.log(n - k + i) - Math.log(i);
  return Math.exp(logC + k * Math.log(p) + (n - k) * Math.log1p(-p));
}

describe('periodLogLR', () => {
  it('equals the conditional binomial likelihood ratio written out', () => {
    // nT = 100, nB = 1900, xT = 3, xB = 4, r = 2 (scipy-free hand formula, checked in Python: 1.737910392493812)
    expect(periodLogLR(2, 3, 7, 100 / 2000)).toBeCloseTo(1.737910392493812, 12);
  });

  it('has expectation exactly 1 under the null for every ratio (the martingale property)', () => {
    for (const [n, share] of [
      [1, 0.5],
      [7, 0.05],
      [40, 0.3],
      [25, 0.9],
    ] as const) {
      for (const r of [0.5, 1.25, 2, 10]) {
        let mean = 0;
        for (let k = 0; k <= n; k++) mean += binomialPmf(k, n, share) * Math.exp(periodLogLR(r, k, n, share));
        expect(mean).toBeCloseTo(1, 12);
      }
    }
  });

  it('carries no information without trials or with a share of 0 or 1', () => {
    expect(periodLogLR(2, 0, 0, 0.3)).toBe(0);
    expect(periodLogLR(2, 0, 5, 0)).toBe(0);
    expect(periodLogLR(2, 5, 5, 1)).toBe(0);
    expect(periodLogLR(0.5, 3, 5, 1)).toBe(0);
  });

  it('stays finite and exact at extreme shares and counts', () => {
    const tiny = periodLogLR(10, MAX_PERIOD_COUNT, MAX_PERIOD_COUNT, 1e-12);
    const huge = periodLogLR(10, 0, MAX_PERIOD_COUNT, 1 - 1e-12);
    expect(Number.isFinite(tiny) && Number.isFinite(huge)).toBe(true);
    expect(tiny).toBeGreaterThan(0);
    expect(huge).toBeLessThan(0);
  });
});

describe('logMeanExp and evidence', () => {
  it('is the log of the mean of the exponentials, without overflow', () => {
    expect(logMeanExp([Math.log(1), Math.log(3)])).toBeCloseTo(Math.log(2), 12);
    expect(logMeanExp([1e6, 1e6])).toBeCloseTo(1e6, 6);
    expect(logMeanExp([-1e6, 0])).toBeCloseTo(-Math.log(2), 12);
    expect(logMeanExp([])).toBe(0);
  });

  it('caps the evidence below Infinity', () => {
    expect(evidenceOf(1e9)).toBe(Math.exp(700));
    expect(Number.isFinite(evidenceOf(1e9))).toBe(true);
    expect(evidenceOf(Math.log(47))).toBeCloseTo(47, 9);
  });

  it('turns α into log(1/α) and refuses an α outside (0, 1)', () => {
    expect(logThreshold(0.01)).toBeCloseTo(Math.log(100), 12);
    for (const bad of [0, 1, -0.1, Number.NaN, Infinity]) expect(() => logThreshold(bad)).toThrow(RangeError);
  });

  it('accepts as counts only bounded non-negative integers', () => {
    expect([0, 1, MAX_PERIOD_COUNT].every(isCount)).toBe(true);
    expect([-1, 0.5, MAX_PERIOD_COUNT + 1, Number.NaN, Infinity, '3', null].some(isCount)).toBe(false);
  });
});
