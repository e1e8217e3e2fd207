/**
 * The absolute guard: the runbook's limits (error rate, P95, P99), sustained for
 * `sustainedMinutes` consecutive minutes, where a minute counts as breaching a limit only when it
 * is exceeded with confidence at that minute's sample size, not when a noisy point estimate
 * crosses it (3 errors in 100 requests is 3 %, yet the rate may well be under 1 %).
 *
 * Every limit is a rate: the error rate is errors per request; "P95 above 500 ms" means more than
 * 5 % of the latency values lie above 500 ms, and "P99 above 1000 ms" more than 1 % above 1000 ms.
 * So each is judged the same way: a one-sided Wilson lower bound on the rate, at
 * ABSOLUTE_CONFIDENCE, above the limit.
 */
import { binOf, countAbove, sketchCount } from '../metrics/sketch';
import { MINUTE_MS } from '../metrics/minutes';
import { countOf, type MinuteBucket } from '../metrics/window-stats';
import type { HealthThresholds } from '../schema/rollout';
import { METRIC_TRIGGERS, type MetricTrigger } from './limits';
import { exceedsWithConfidence } from './sequential/absolute-bound';

/** One-sided confidence of a minute's breach: a healthy minute at exactly the limit breaches with chance ≤ 1 %. */
export const ABSOLUTE_CONFIDENCE = 0.99;

/** A limit as a rate: how many of how many are over it, and the share they may be. */
function exceedance(bucket: MinuteBucket, trigger: MetricTrigger, t: HealthThresholds): { events: number; trials: number; limit: number } {
  switch (trigger) {
    case 'error_rate': {
      const trials = countOf(bucket.count);
      return { events: Math.min(countOf(bucket.errors), trials), trials, limit: t.maxErrorRate };
    }
    case 'p95':
      return { events: countAbove(bucket.bins, binOf(t.maxP95Ms)), trials: sketchCount(bucket), limit: 0.05 };
    case 'p99':
      return { events: countAbove(bucket.bins, binOf(t.maxP99Ms)), trials: sketchCount(bucket), limit: 0.01 };
  }
}

/** True when the bucket exceeds the limit of `trigger` with confidence. */
export function confidentlyExceeds(bucket: MinuteBucket, trigger: MetricTrigger, t: HealthThresholds): boolean {
  const e = exceedance(bucket, trigger, t);
  return exceedsWithConfidence(e.events, e.trials, e.limit, ABSOLUTE_CONFIDENCE);
}

/** The first trigger whose limit the bucket exceeds with confidence, or null. */
export function firstConfidentlyExceeded(bucket: MinuteBucket, t: HealthThresholds): MetricTrigger | null {
  return METRIC_TRIGGERS.find((trigger) => confidentlyExceeds(bucket, trigger, t)) ?? null;
}

/**
 * The first trigger breached with confidence in each of the last `t.sustainedMinutes` minutes,
 * each with at least `t.minSamples` reports, or null. One trigger must hold in every minute (an
 * error spike one minute and slow responses the next is not a sustained breach of either), and
 * the minutes must be consecutive: a gap is a minute without data.
 */
export function sustainedTrigger(minutes: readonly MinuteBucket[], t: HealthThresholds): MetricTrigger | null {
  const n = t.sustainedMinutes;
  if (minutes.length < n) return null;
  const last = minutes.slice(-n);
  const consecutive = last.every((m, k) => k === 0 || m.minute === last[k - 1]!.minute + MINUTE_MS);
  if (!consecutive || !last.every((m) => countOf(m.count) >= t.minSamples)) return null;
  return METRIC_TRIGGERS.find((trigger) => last.every((m) => confidentlyExceeds(m, trigger, t))) ?? null;
}
