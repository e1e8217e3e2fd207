import type { HealthInput, Rollout, Verdict } from '../schema/rollout';
import type { RolloutEvent } from './events';
import { describeEvidence } from '../health/evidence';
import { formatPercent, formatRate } from '../numbers';
import { describeBakeBreach, describeTrigger, iso } from './format';
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
  if (window.kind === 'held') return hold(seen, rollout.lastVerdict, window);
  return isAtLastStage(seen) ? tickBake(seen, now, health) : tickStage(seen, now, window);
}

/**
 * Holds without judging the treatment: the baseline breaches as well, or the reports' sample
 * ratio is off. The `held` event (audited, notified) marks the start of a hold, not every minute of it.
 */
function hold(rollout: Rollout, before: Verdict | null, verdict: Extract<Verdict, { kind: 'held' }>): Transition {
  const h = rollout.plan.health;
  const why =
    verdict.cause === 'environment_wide'
      ? `environment-wide: baseline breaches as well (${verdict.trigger ? describeTrigger(verdict.trigger, verdict.numbers, h) : 'a limit'}, baseline ${describeBaseline(verdict)})`
      : `sample ratio mismatch: check the reporter (${describeSampleRatio(verdict)})`;
  const reason = `${why}; holding at ${formatPercent(rollout.percent)}`;
  const events: RolloutEvent[] = [{ type: 'waiting', reason }];
  if (!(before?.kind === 'held' && before.cause === verdict.cause)) events.push({ type: 'held', cause: verdict.cause, reason, numbers: verdict.numbers });
  return { rollout: { ...rollout, lastDecision: `waiting: ${reason}` }, events };
}

function describeBaseline(v: Extract<Verdict, { kind: 'held' }>): string {
  const b = v.numbers.baseline;
  if (!b) return 'no numbers';
  if (v.trigger === 'p95' && b.p95Ms !== undefined) return `p95 ${Math.round(b.p95Ms)} ms`;
  if (v.trigger === 'p99' && b.p99Ms !== undefined) return `p99 ${Math.round(b.p99Ms)} ms`;
  return b.errorRate === undefined ? 'no numbers' : `error_rate ${formatRate(b.errorRate)}`;
}

function describeSampleRatio(v: Extract<Verdict, { kind: 'held' }>): string {
  const e = v.numbers.guards?.find((g) => g.guard === 'sample_ratio');
  return e ? describeEvidence(e) : 'no numbers';
}

/** Before the last stage: promote one stage once it is due and the window is healthy. */
function tickStage(rollout: Rollout, now: number, window: Exclude<Verdict, { kind: 'breached' | 'held' }>): Transition {
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
    if (verdict.kind === 'held') return hold(current, rollout.lastVerdict, verdict);
    // The bake's success criteria are stricter than the rollback triggers: failing them holds the
    // rollout at 100 % for an operator to decide, it does not roll back by itself.
    const reason = `bake criteria not met (${describeBakeBreach(verdict.trigger, verdict.numbers, current.plan.health)}); holding at ${formatPercent(current.percent)}`;
    return { rollout: { ...current, lastDecision: `waiting: ${reason}` }, events: [{ type: 'waiting', reason }] };
  })();
  return { rollout: result.rollout, events: [...events, ...result.events] };
}

/** Not enough reports to judge: no data is never a pass, so wait and say why. */
function wait(rollout: Rollout, verdict: Extract<Verdict, { kind: 'insufficient-data' }>): Transition {
  const reason = `insufficient data (${verdict.samples} of ${verdict.required} ${verdict.cohort === 'baseline' ? 'baseline ' : ''}samples)`;
  return { rollout: { ...rollout, lastDecision: `waiting: ${reason}` }, events: [{ type: 'waiting', reason }] };
}

/** Records a decision that changes nothing else and is not worth an event. */
function decide(rollout: Rollout, decision: string): Transition {
  return { rollout: { ...rollout, lastDecision: decision }, events: [] };
}
