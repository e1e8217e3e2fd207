import { expect } from 'vitest';
import { RELATIVE_ACCURACY } from '../../src/core/metrics/sketch';

/** The q-quantile of `samples` by nearest rank (the ⌈q·n⌉-th smallest), computed without the sketch. */
export function exactQuantile(samples: readonly number[], q: number): number {
  const sorted = [...samples].sort((x, y) => x - y);
  return sorted[Math.max(0, Math.ceil(q * sorted.length) - 1)]!;
}

/** Checks that a sketch's P95 and P99 read within the stated relative error of the exact quantiles of `samples`. */
export function expectQuantilesOf(read: { p95Ms: number | null; p99Ms: number | null }, samples: readonly number[]): void {
  for (const [q, got] of [
    [0.95, read.p95Ms],
    [0.99, read.p99Ms],
  ] as const) {
    const exact = exactQuantile(samples, q);
    expect(got, `P${q * 100}`).not.toBeNull();
    expect(Math.abs(got! - exact) / exact, `P${q * 100}: ${got} vs exact ${exact}`).toBeLessThanOrEqual(RELATIVE_ACCURACY);
  }
}
