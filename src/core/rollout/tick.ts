import type { HealthInput, Rollout, Verdict } from '../schema/rollout';
import type { RolloutEvent } from './events';
import { describeBakeBreach, describeTrigger, formatPercent, iso } from './format';
import { bakeEndsAt, isAtLastStage, isTerminal, stageDueAt } from './schedule';
import { promoteOne, rollBack, type Transition } from './transitions';

/**
 * One scheduler tick: rolls back on a breach, otherwise promotes at most one due stage on a
 * healthy window, or completes a finished, healthy bake. Same `now` twice changes nothing more.
 */
export function tickRollout(rollout: Rollout, now: number, health: HealthInput): Transition {
  if (isTerminal(rollout)) return { rollout, events: [] };
  const window = health.window;
  // Never let lastTickAt go backwards: a late retried alarm must not reopen a tick already taken.
  const lastTickAt = rollout.lastTickAt === null ? now : Math.max(rollout.lastTickAt, now);
  const seen: Rollout = { ...rollout, lastVerdict: window, lastTickAt };

  // A breach wins over everything else, paused or not, repeated tick or not: safety first.
  if (window.kind === 'breached') return rollBack(seen, now, { manual: false, trigger: window.trigger, numbers: window.numbers });

  // A repeated (or older) `now` has already been acted on; acting again could promote twice
  // when stages share an afterSeconds, so only the verdict is recorded.
  if (rollout.lastTickAt !== null && now <= rollout.lastTickAt) return { rollout: seen, events: [] };

  if (seen.status === 'paused') return { rollout: { ...seen, lastDecision: 'paused' }, events: [] };
  return isAtLastStage(seen) ? tickBake(seen, now, health) : tickStage(seen, now, window);
}

/** Before the last stage: promote one stage once it is due and the window is healthy. */
function tickStage(rollout: Rollout, now: number, window: Exclude<Verdict, { kind: 'breached' }>): Transition {
  const nextIndex = rollout.stageIndex + 1;
  const next = rollout.plan.stages[nextIndex]!;
  const due = stageDueAt(rollout, nextIndex)!;
  if (now < due) return decide(rollout, `waiting: next stage ${formatPercent(next.percent)} at ${iso(due)}`);
  if (window.kind === 'healthy') return promoteOne(rollout, now, false);
  if (window.kind === 'insufficient-data') return wait(rollout, window);
  const reason = `${describeTrigger(window.trigger, window.numbers, rollout.plan.health)} (not sustained yet); holding at ${formatPercent(rollout.percent)}`;
  return { rollout: { ...rollout, lastDecision: `waiting: ${reason}` }, events: [{ type: 'waiting', reason }] };
}

/** At the last stage: complete once the bake has run its time and the bake verdict passes. */
function tickBake(rollout: Rollout, now: number, health: HealthInput): Transition {
  let current = rollout;
  const events: RolloutEvent[] = [];
  if (current.bakeStartedAt === null) {
    // Only reachable for a row written by something other than startRollout/promoteOne; start the bake rather than never completing.
    current = { ...current, bakeStartedAt: now };
    events.push({ type: 'bake_started', percent: current.percent, endsAt: bakeEndsAt(current)! });
  }
  const endsAt = bakeEndsAt(current)!;
  const result = ((): Transition => {
    if (now < endsAt) return decide(current, `baking: completes at ${iso(endsAt)}`);
    const verdict = health.bake ?? health.window;
    if (verdict.kind === 'healthy') {
      return {
        rollout: { ...current, status: 'completed', endedAt: now, lastDecision: `completed: bake passed at ${formatPercent(current.percent)}` },
        events: [{ type: 'completed', percent: current.percent }],
      };
    }
    if (verdict.kind === 'insufficient-data') return wait(current, verdict);
    // The bake's success criteria are stricter than the rollback triggers: failing them holds the
    // rollout at 100 % for an operator to decide, it does not roll back by itself.
    const reason = `bake criteria not met (${describeBakeBreach(verdict.trigger, verdict.numbers, current.plan.health)}); holding at ${formatPercent(current.percent)}`;
    return { rollout: { ...current, lastDecision: `waiting: ${reason}` }, events: [{ type: 'waiting', reason }] };
  })();
  return { rollout: result.rollout, events: [...events, ...result.events] };
}

/** Not enough reports to judge: no data is never a pass, so wait and say why. */
function wait(rollout: Rollout, verdict: Extract<Verdict, { kind: 'insufficient-data' }>): Transition {
  const reason = `insufficient data (${verdict.samples} of ${verdict.required} samples)`;
  return { rollout: { ...rollout, lastDecision: `waiting: ${reason}` }, events: [{ type: 'waiting', reason }] };
}

/** Records a decision that changes nothing else and is not worth an event. */
function decide(rollout: Rollout, decision: string): Transition {
  return { rollout: { ...rollout, lastDecision: decision }, events: [] };
}
