import { describe, expect, it } from 'vitest';
import { quantile, sketchFromSamples } from './sketch';
import { minuteStatsOf, statsOf, type MinuteBucket } from './window-stats';

const bucket = (minute: number, count: number, errors: number, latencies: number[]): MinuteBucket => ({
  minute,
  count,
  errors,
  bins: sketchFromSamples(latencies).bins,
});

describe('statsOf', () => {
  it('has no rates or quantiles without data', () => {
    expect(statsOf([])).toEqual({ samples: 0, errors: 0, errorRate: null, p95Ms: null, p99Ms: null });
    expect(statsOf([bucket(0, 0, 0, [])])).toEqual({ samples: 0, errors: 0, errorRate: null, p95Ms: null, p99Ms: null });
  });

  it('adds counts and errors and reads quantiles from the merged sketch', () => {
    const a = Array.from({ length: 200 }, (_, k) => 10 + k);
    const b = Array.from({ length: 100 }, (_, k) => 500 + 5 * k);
    const stats = statsOf([bucket(0, 200, 3, a), bucket(60_000, 100, 9, b)]);
    const all = sketchFromSamples([...a, ...b]);
    expect(stats).toEqual({ samples: 300, errors: 12, errorRate: 12 / 300, p95Ms: quantile(all, 0.95), p99Ms: quantile(all, 0.99) });
    // The slow minute dominates the tail: P95 of the union is in the second bucket's range.
    expect(stats.p95Ms!).toBeGreaterThan(500);
  });

  it('counts samples from `count`, even when fewer latencies were sampled', () => {
    const stats = statsOf([bucket(0, 10_000, 20, [100, 120, 140])]);
    expect(stats.samples).toBe(10_000);
    expect(stats.errorRate).toBe(0.002);
    expect(stats.p99Ms).toBe(quantile(sketchFromSamples([100, 120, 140]), 0.99));
  });

  it('does not depend on bucket order', () => {
    const buckets = [bucket(0, 50, 1, [5, 9, 300]), bucket(60_000, 70, 0, [40, 41]), bucket(120_000, 10, 2, [2000])];
    expect(statsOf([...buckets].reverse())).toEqual(statsOf(buckets));
  });

  it('leaves the buckets alone', () => {
    const b = bucket(0, 5, 0, [10, 20]);
    const before = structuredClone(b);
    statsOf([b, b]);
    expect(b).toEqual(before);
  });
});

describe('minuteStatsOf', () => {
  it('is statsOf one bucket, stamped with its minute', () => {
    const b = bucket(120_000, 40, 4, [30, 60, 90]);
    expect(minuteStatsOf(b)).toEqual({ minute: 120_000, ...statsOf([b]) });
  });
});
