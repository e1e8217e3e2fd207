/**
 * Minutes of health data as the health-policy tests build them: buckets with given counts and
 * latencies, one-limit breaches, and signals as the coordinator hands them to the policy.
 */
import { zHealthThresholds, type HealthThresholds } from '../../src/core/schema/rollout';
import { MINUTE_MS } from '../../src/core/metrics/minutes';
import { binOf } from '../../src/core/metrics/sketch';
import { statsOf, type MinuteBucket } from '../../src/core/metrics/window-stats';
import type { HealthSignals } from '../../src/core/health/policy';

export const T: HealthThresholds = zHealthThresholds.parse({}); // defaults: 1 %, 500 ms, 1000 ms, 5 minutes, 100 samples, 5 probes
export const T0 = 1_700_000_040_000 - (1_700_000_040_000 % MINUTE_MS);

/** A minute of `count` reports with `errors`, and latencies given as [ms, how many]. */
export function bucket(k: number, count: number, errors: number, latencies: Array<[number, number]>): MinuteBucket {
  const bins: Record<string, number> = {};
  for (const [ms, n] of latencies) bins[String(binOf(ms))] = (bins[String(binOf(ms))] ?? 0) + n;
  return { minute: T0 + k * MINUTE_MS, count, errors, bins };
}

// One minute each, 200 reports: healthy, or breaching exactly one limit.
export const fine = (k: number, count = 200) => bucket(k, count, 0, [[100, count]]);
export const erroring = (k: number, count = 200) => bucket(k, count, Math.ceil(count * 0.03), [[100, count]]); // 3 % > 1 %
export const slowP95 = (k: number) =>
  bucket(k, 200, 0, [
    [100, 140],
    [700, 60],
  ]); // 30 % at 700 ms: P95 ≈ 700 > 500 with confidence, P99 ≈ 700 < 1000
export const slowP99 = (k: number) =>
  bucket(k, 200, 0, [
    [100, 190],
    [1500, 10],
  ]); // 5 % at 1500 ms: P95 ≈ 100, P99 ≈ 1500 > 1000 with confidence

/** Signals as the coordinator builds them: the minutes and their aggregate. */
export function signals(buckets: MinuteBucket[], extra: Partial<HealthSignals> = {}): HealthSignals {
  return { minutes: buckets, window: statsOf(buckets), probeFailures: 0, ...extra };
}

export const five = (make: (k: number) => MinuteBucket) => [0, 1, 2, 3, 4].map(make);
