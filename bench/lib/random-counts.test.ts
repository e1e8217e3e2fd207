import { describe, expect, it } from 'vitest';
import { mulberry32 } from '../../test/helpers/seeded-random';
import { binomial, poisson } from './random-counts';

/** Mean and variance of `draws` samples. */
function moments(draw: () => number, draws = 20_000): { mean: number; variance: number } {
  let sum = 0;
  let sq = 0;
  for (let i = 0; i < draws; i++) {
    const x = draw();
    sum += x;
    sq += x * x;
  }
  const mean = sum / draws;
  return { mean, variance: sq / draws - mean * mean };
}

// Rough checks: mean and variance within a few standard errors, on a fixed seed.
describe('seeded count samplers', () => {
  it('draws Poisson counts with the right mean and variance, small and large', () => {
    const u = mulberry32(1);
    for (const mean of [0.05, 1, 7.5, 49, 50, 3000]) {
      const m = moments(() => poisson(u, mean));
      expect(Math.abs(m.mean - mean)).toBeLessThan(5 * Math.sqrt(mean / 20_000) + 1e-9);
      expect(m.variance / mean).toBeGreaterThan(0.95);
      expect(m.variance / mean).toBeLessThan(1.05);
    }
    expect(poisson(u, 0)).toBe(0);
  });

  it('draws binomial counts with the right mean and variance on every path', () => {
    const u = mulberry32(2);
    for (const [n, p] of [
      [10, 0.3],
      [50, 0.9],
      [5000, 0.002],
      [100_000, 0.0001],
      [2000, 0.5],
      [1_000_000, 0.02],
    ] as const) {
      const mean = n * p;
      const variance = mean * (1 - p);
      const m = moments(() => binomial(u, n, p));
      expect(Math.abs(m.mean - mean)).toBeLessThan(5 * Math.sqrt(variance / 20_000));
      expect(m.variance / variance).toBeGreaterThan(0.94);
      expect(m.variance / variance).toBeLessThan(1.06);
    }
    expect([binomial(u, 0, 0.5), binomial(u, 10, 0), binomial(u, 10, 1)]).toEqual([0, 0, 10]);
  });

  it('repeats itself on the same seed', () => {
    const a = mulberry32(9);
    const b = mulberry32(9);
    expect(Array.from({ length: 50 }, () => binomial(a, 3000, 0.004))).toEqual(Array.from({ length: 50 }, () => binomial(b, 3000, 0.004)));
  });
});
