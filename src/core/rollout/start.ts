import type { Rollout, RolloutPlan, StartRollout } from '../schema/rollout';
import { formatPercent } from '../numbers';

/** A new rollout, running at its first stage from `now`; a plan that starts at 100 % starts baking at once. */
export function startRollout(id: string, input: StartRollout, plan: RolloutPlan, now: number): Rollout {
  const first = plan.stages[0];
  // planFor refuses empty schedules; a plan from elsewhere that has none is a programming error.
  if (!first) throw new RangeError('a rollout plan needs at least one stage');
  const isLast = plan.stages.length === 1;
  return {
    id,
    flag: input.flag,
    variant: input.variant,
    baselineVariant: input.baselineVariant ?? null,
    plan,
    status: 'running',
    stageIndex: 0,
    percent: first.percent,
    startedAt: now,
    pausedTotalMs: 0,
    pausedAt: null,
    bakeStartedAt: isLast ? now : null,
    endedAt: null,
    lastVerdict: null,
    lastDecision: `started at ${formatPercent(first.percent)}${isLast ? '; baking' : ''}`,
    // Null, not `now`: the first tick may well come at the start time and must be allowed to act.
    lastTickAt: null,
  };
}
