import type { HealthNumbers, Rollout, Trigger } from '../schema/rollout';
import type { RolloutEvent } from './events';
import { formatPercent } from '../numbers';
import { describeTrigger, iso } from './format';
import { bakeEndsAt, isAtLastStage } from './schedule';

/** A new rollout state and what happened on the way to it. */
export interface Transition {
  rollout: Rollout;
  events: RolloutEvent[];
}

/** Advances exactly one stage at `now`; entering the last stage starts the bake. The caller checks that a next stage exists. */
export function promoteOne(rollout: Rollout, now: number, manual: boolean, reason?: string): Transition {
  const stageIndex = rollout.stageIndex + 1;
  const stage = rollout.plan.stages[stageIndex];
  if (!stage) throw new RangeError(`rollout ${rollout.id} has no stage ${stageIndex}`);
  const promoted: Rollout = { ...rollout, stageIndex, percent: stage.percent };
  const events: RolloutEvent[] = [
    { type: 'promoted', fromPercent: rollout.percent, toPercent: stage.percent, stageIndex, manual, ...(reason === undefined ? {} : { reason }) },
  ];
  let decision = `promoted${manual ? ' by operator' : ''}: ${formatPercent(rollout.percent)} → ${formatPercent(stage.percent)} (stage ${stageIndex + 1} of ${rollout.plan.stages.length})`;
  if (isAtLastStage(promoted)) {
    promoted.bakeStartedAt = now;
    const endsAt = bakeEndsAt(promoted)!;
    events.push({ type: 'bake_started', percent: stage.percent, endsAt });
    decision += `; baking until ${iso(endsAt)}`;
  }
  if (reason !== undefined) decision += `: ${reason}`;
  promoted.lastDecision = decision;
  return { rollout: promoted, events };
}

/** How a rollback came about: a health trigger, or an operator with a reason. */
export type RollbackCause = { manual: false; trigger: Trigger; numbers: HealthNumbers } | { manual: true; reason: string };

/** Ends the rollout at 0 % at once. A pause in progress is closed so the record shows no open pause. */
export function rollBack(rollout: Rollout, now: number, cause: RollbackCause): Transition {
  const pausedTotalMs = rollout.pausedAt === null ? rollout.pausedTotalMs : rollout.pausedTotalMs + Math.max(0, now - rollout.pausedAt);
  const decision = cause.manual
    ? `rolled back by operator: ${cause.reason}`
    : `rolled back: ${describeTrigger(cause.trigger, cause.numbers, rollout.plan.health)}`;
  const event: RolloutEvent = cause.manual
    ? { type: 'rolled_back', fromPercent: rollout.percent, manual: true, reason: cause.reason }
    : { type: 'rolled_back', fromPercent: rollout.percent, manual: false, trigger: cause.trigger, numbers: cause.numbers };
  return {
    rollout: { ...rollout, status: 'rolled_back', percent: 0, endedAt: now, pausedAt: null, pausedTotalMs, lastDecision: decision },
    events: [event],
  };
}
