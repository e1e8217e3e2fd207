import type { HealthNumbers } from '../schema/rollout';
import type { WindowStats } from '../metrics/window-stats';

type CohortNumbers = Pick<HealthNumbers, 'samples' | 'errorRate' | 'p95Ms' | 'p99Ms'>;

/** The stats as HealthNumbers; unknown numbers are left out, since the schema has no null and a guess would mislead. */
export function cohortNumbers(stats: WindowStats): CohortNumbers {
  const n: CohortNumbers = { samples: stats.samples };
  if (stats.errorRate !== null) n.errorRate = stats.errorRate;
  if (stats.p95Ms !== null) n.p95Ms = stats.p95Ms;
  if (stats.p99Ms !== null) n.p99Ms = stats.p99Ms;
  return n;
}

/** The treatment's numbers with the probe count, and the baseline's beside them when known. */
export function verdictNumbers(treatment: WindowStats, probeFailures: number, baseline?: WindowStats): HealthNumbers {
  const n: HealthNumbers = { ...cohortNumbers(treatment), probeFailures };
  if (baseline) n.baseline = cohortNumbers(baseline);
  return n;
}
