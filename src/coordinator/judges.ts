import { judgeRollout, type RolloutSignals } from '../core/health/judge';
import { type HealthInput, type Rollout, zHealthInput } from '../core/schema/rollout';
import type { Gathered } from './gather-health';
import type { Judge } from './rollout-ops';

/** A rollout whose shard did not answer: judged on nothing (it holds), the probes still count. */
const NO_SIGNALS: RolloutSignals = { minutes: [], window: { samples: 0, errors: 0, errorRate: null, p95Ms: null, p99Ms: null }, pairs: [] };

/** Each rollout judged on what the tick gathered, its guards advanced from its own row. */
export function gatheredJudge(g: Gathered, now: number): Judge {
  return (r) => judgeRollout(r, g.signals.get(r.id) ?? NO_SIGNALS, g.probeFailures, now);
}

/**
 * Verdicts given from outside (tests drive ticks this way), checked with the schema; the guards
 * stay as they are. A rollout they do not mention has no data, which is never a pass.
 */
export function givenJudge(health: Record<string, unknown>): Judge {
  // Rollout ids from outside: a null-prototype record, so "__proto__" is a key like any other.
  const inputs: Record<string, HealthInput> = Object.create(null) as Record<string, HealthInput>;
  for (const [id, h] of Object.entries(health)) {
    const parsed = zHealthInput.safeParse(h);
    if (parsed.success) inputs[id] = parsed.data;
  }
  return (r) => ({ health: inputs[r.id] ?? noData(r) });
}

function noData(r: Rollout): HealthInput {
  return { window: { kind: 'insufficient-data', samples: 0, required: r.plan.health.minSamples } };
}
