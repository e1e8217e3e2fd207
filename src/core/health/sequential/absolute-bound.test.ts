import { describe, expect, it } from 'vitest';
import { exceedsWithConfidence, normalQuantile, wilsonLowerBound, wilsonUpperBound } from './absolute-bound';

// Reference values from scipy 1.17 (norm.ppf, and the Wilson formula with it).
describe('normalQuantile', () => {
  it('matches scipy', () => {
    const cases: Array<[number, number]> = [
      [0.5, 0],
      [0.9, 1.2815515655446004],
      [0.95, 1.6448536269514722],
      [0.975, 1.959963984540054],
      [0.99, 2.3263478740408408],
      [0.999, 3.090232306167813],
      [0.01, -2.3263478740408408],
      [1e-10, -6.361340902404056],
    ];
    for (const [p, z] of cases) expect(normalQuantile(p)).toBeCloseTo(z, 7);
  });

  it('refuses p outside (0, 1)', () => {
    for (const p of [0, 1, Number.NaN, -1]) expect(() => normalQuantile(p)).toThrow(RangeError);
  });
});

describe('wilsonLowerBound', () => {
  it('matches known values', () => {
    expect(wilsonLowerBound(5, 100, 0.95)).toBeCloseTo(0.02454736342580413, 8);
    expect(wilsonLowerBound(3, 100, 0.95)).toBeCloseTo(0.01205181424927991, 8);
    expect(wilsonLowerBound(2, 100, 0.95)).toBeCloseTo(0.006640643595012132, 8);
    expect(wilsonLowerBound(100, 100, 0.95)).toBeCloseTo(0.9736572792168257, 8);
    expect(wilsonLowerBound(30, 1000, 0.99)).toBeCloseTo(0.019761233852473338, 8);
    expect(wilsonLowerBound(0, 100, 0.95)).toBe(0);
  });

  it('is exactly 0 without events and the upper bound exactly 1 without non-events, at any size', () => {
    for (const n of [1, 7, 100, 2000, 123_457, 1e9]) {
      expect(wilsonLowerBound(0, n, 0.975)).toBe(0);
      expect(wilsonUpperBound(n, n, 0.975)).toBe(1);
    }
  });

  it('is 0 when nothing can be said, and never NaN', () => {
    for (const [x, n] of [
      [0, 0],
      [1, 0],
      [5, 3],
      [-1, 10],
      [Number.NaN, 10],
      [1, Infinity],
      [1, Number.NaN],
    ] as const) {
      expect(wilsonLowerBound(x, n, 0.95)).toBe(0);
    }
    expect(wilsonUpperBound(0, 0, 0.95)).toBe(1);
  });

  it('brackets the point estimate, tighter with more trials', () => {
    expect(wilsonUpperBound(5, 100, 0.95)).toBeGreaterThan(0.05);
    expect(wilsonLowerBound(50, 1000, 0.95)).toBeGreaterThan(wilsonLowerBound(5, 100, 0.95));
  });
});

describe('exceedsWithConfidence', () => {
  it('counts a minute as breaching 1 % only when its lower bound is above 1 %', () => {
    expect(exceedsWithConfidence(2, 100, 0.01, 0.95)).toBe(false); // 2 %, but could be under 1 %
    expect(exceedsWithConfidence(3, 100, 0.01, 0.95)).toBe(true);
    expect(exceedsWithConfidence(3, 100, 0.01, 0.99)).toBe(false);
    expect(exceedsWithConfidence(15, 1000, 0.01, 0.95)).toBe(false);
    expect(exceedsWithConfidence(200, 10_000, 0.01, 0.99)).toBe(true);
  });
});
