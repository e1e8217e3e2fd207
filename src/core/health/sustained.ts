import type { HealthThresholds } from '../schema/rollout';
import { MINUTE_MS } from '../metrics/minutes';
import type { MinuteStats } from '../metrics/window-stats';
import { exceedsLimit, METRIC_TRIGGERS, type MetricTrigger } from './limits';

/**
 * The first trigger (error_rate, p95, p99) breached in each of the last `t.sustainedMinutes`
 * minutes, each with at least `t.minSamples` samples ("sustained"), or null.
 * One trigger must hold in every minute: an error spike one minute and slow responses the next is
 * not a sustained breach of either. Minutes must be consecutive; a gap is a minute without data.
 */
export function sustainedTrigger(minutes: readonly MinuteStats[], t: HealthThresholds): MetricTrigger | null {
  const n = t.sustainedMinutes;
  if (minutes.length < n) return null;
  const last = minutes.slice(-n);
  const consecutive = last.every((m, k) => k === 0 || m.minute === last[k - 1]!.minute + MINUTE_MS);
  if (!consecutive || !last.every((m) => m.samples >= t.minSamples)) return null;
  return METRIC_TRIGGERS.find((trigger) => last.every((m) => exceedsLimit(m, trigger, t))) ?? null;
}
