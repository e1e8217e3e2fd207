import { judgeRollout, type RolloutSignals } from '../core/health/judge';
import type { Gathered } from './gather-health';
import type { Judge } from './rollout-tick';

/** A rollout whose shard did not answer: judged on nothing (it holds), the probes still count. */
const NO_SIGNALS: RolloutSignals = { minutes: [], window: { samples: 0, errors: 0, errorRate: null, p95Ms: null, p99Ms: null }, pairs: [] };

/** Each rollout judged on what the tick gathered, its guards advanced from its own row. */
export function gatheredJudge(g: Gathered, now: number): Judge {
  return (r) => judgeRollout(r, g.signals.get(r.id) ?? NO_SIGNALS, g.probeFailures, now);
}
