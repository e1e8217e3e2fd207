import type { HealthThresholds, Trigger } from '../schema/rollout';
import type { WindowStats } from '../metrics/window-stats';

/** The triggers metrics can trip (probes are counted apart). */
export type MetricTrigger = Extract<Trigger, 'error_rate' | 'p95' | 'p99'>;

/** The order triggers are checked in, so a verdict names the same one every time. */
export const METRIC_TRIGGERS: readonly MetricTrigger[] = ['error_rate', 'p95', 'p99'];

/** True when the stats are strictly above the rollback limit of `trigger`; an unknown number exceeds nothing. */
export function exceedsLimit(stats: WindowStats, trigger: MetricTrigger, t: HealthThresholds): boolean {
  switch (trigger) {
    case 'error_rate':
      return stats.errorRate !== null && stats.errorRate > t.maxErrorRate;
    case 'p95':
      return stats.p95Ms !== null && stats.p95Ms > t.maxP95Ms;
    case 'p99':
      return stats.p99Ms !== null && stats.p99Ms > t.maxP99Ms;
  }
}

/** The first trigger (error_rate, p95, p99) whose rollback limit the stats exceed, or null. */
export function firstExceeded(stats: WindowStats, t: HealthThresholds): MetricTrigger | null {
  return METRIC_TRIGGERS.find((trigger) => exceedsLimit(stats, trigger, t)) ?? null;
}
