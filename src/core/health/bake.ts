import type { HealthThresholds, Verdict } from '../schema/rollout';
import type { WindowStats } from '../metrics/window-stats';
import { cohortNumbers } from './numbers';

/**
 * Whether the bake so far meets the success criteria: error rate and P95 strictly
 * below the bake limits. Failing them is `degraded` (hold), never `breached`: rolling back is the
 * rollback triggers' job. No data is never a pass, so a bake without latency data cannot succeed.
 */
export function bakeVerdict(bake: WindowStats, t: HealthThresholds): Verdict {
  const numbers = cohortNumbers(bake);
  if (bake.samples < t.minSamples || bake.errorRate === null) return { kind: 'insufficient-data', samples: bake.samples, required: t.minSamples, numbers };
  if (bake.errorRate >= t.bakeMaxErrorRate) return { kind: 'degraded', trigger: 'error_rate', numbers };
  // Enough reports but no latency in them: P95 < limit cannot be shown. `samples` counts latency
  // values here (zero), so the status reads "insufficient data (0 of 100 samples)".
  if (bake.p95Ms === null) return { kind: 'insufficient-data', samples: 0, required: t.minSamples, numbers };
  if (bake.p95Ms >= t.bakeMaxP95Ms) return { kind: 'degraded', trigger: 'p95', numbers };
  return { kind: 'healthy', numbers };
}
