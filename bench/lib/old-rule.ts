/**
 * The rule the cron applied before issue 10, kept here only so that the verdict simulations can
 * show it beside the rule that replaced it, on the same simulated minutes: each point estimate
 * compared with the fixed limits, no confidence, no baseline.
 */
import type { HealthThresholds } from '../../src/core/schema/rollout';
import { MINUTE_MS } from '../../src/core/metrics/minutes';
import type { MinuteStats } from '../../src/core/metrics/window-stats';
import { exceedsLimit, METRIC_TRIGGERS, type MetricTrigger } from '../../src/core/health/limits';

/**
 * The first trigger (error_rate, p95, p99) breached in each of the last `t.sustainedMinutes`
 * minutes, each with at least `t.minSamples` samples ("sustained"), or null.
 * One trigger must hold in every minute: an error spike one minute and slow responses the next is
 * not a sustained breach of either. Minutes must be consecutive; a gap is a minute without data.
 */
export function oldSustainedTrigger(minutes: readonly MinuteStats[], t: HealthThresholds): MetricTrigger | null {
  const n = t.sustainedMinutes;
  if (minutes.length < n) return null;
  const last = minutes.slice(-n);
  const consecutive = last.every((m, k) => k === 0 || m.minute === last[k - 1]!.minute + MINUTE_MS);
  if (!consecutive || !last.every((m) => m.samples >= t.minSamples)) return null;
  return METRIC_TRIGGERS.find((trigger) => last.every((m) => exceedsLimit(m, trigger, t))) ?? null;
}
