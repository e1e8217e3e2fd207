import { describeEvidence } from '../health/evidence';
import { formatMs, formatRate, readable } from '../numbers';
import type { HealthNumbers, HealthThresholds, Trigger } from '../schema/rollout';

/** An instant as an ISO 8601 UTC string; pure, unlike reading the clock. */
export function iso(ms: number): string {
  return new Date(ms).toISOString();
}

/** Why a trigger tripped, e.g. "error_rate 2.3% > 1%"; a missing number is left out rather than guessed. */
export function describeTrigger(trigger: Trigger, numbers: HealthNumbers | undefined, health: HealthThresholds): string {
  const n = numbers ?? {};
  const value = (v: number | undefined, fmt: (x: number) => string) => (v === undefined ? '' : ` ${fmt(v)}`);
  switch (trigger) {
    case 'error_rate':
      return `error_rate${value(n.errorRate, formatRate)} > ${formatRate(health.maxErrorRate)}`;
    case 'p95':
      return `p95${value(n.p95Ms, formatMs)} > ${formatMs(health.maxP95Ms)}`;
    case 'p99':
      return `p99${value(n.p99Ms, formatMs)} > ${formatMs(health.maxP99Ms)}`;
    case 'probes':
      // "5 or more" failures trip it, hence ≥ rather than >.
      return `probes${value(n.probeFailures, (x) => `${readable(x)} failed`)} ≥ ${readable(health.maxProbeFailures)}`;
    case 'errors_vs_baseline':
    case 'p95_vs_baseline':
    case 'p99_vs_baseline': {
      const guard = trigger.slice(0, trigger.indexOf('_'));
      const evidence = n.guards?.find((g) => g.guard === guard);
      return evidence ? describeEvidence(evidence) : `${guard} worse than the baseline`;
    }
  }
}

/** Why a bake did not pass, against the bake's success criteria (< 0.1 %, < 200 ms by default), which are stricter than the rollback triggers. */
export function describeBakeBreach(trigger: Trigger, numbers: HealthNumbers | undefined, health: HealthThresholds): string {
  const n = numbers ?? {};
  // Success needs strictly below the limit, so failing it is "at or above".
  if (trigger === 'error_rate') return `error_rate${n.errorRate === undefined ? '' : ` ${formatRate(n.errorRate)}`} ≥ ${formatRate(health.bakeMaxErrorRate)}`;
  if (trigger === 'p95') return `p95${n.p95Ms === undefined ? '' : ` ${formatMs(n.p95Ms)}`} ≥ ${formatMs(health.bakeMaxP95Ms)}`;
  return describeTrigger(trigger, numbers, health);
}
