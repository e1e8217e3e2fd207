import { isTerminal, needsPublish, type RolloutEvent } from '../core/rollout';
import type { Rollout } from '../core/schema/rollout';
import { commit, type CoordinatorState } from './state';

/** A rollout's change as {@link record} commits it. */
interface RecordedChange {
  before: Rollout;
  after: Rollout;
  events: readonly RolloutEvent[];
  actor: string;
  now: number;
  /** The audit action of real transitions; null records them without an audit entry. */
  action: string | null;
  reason: string | null;
  /** More writes of the same transaction; returns whether they need a publish. */
  alsoInTransaction?: () => boolean;
}

/** Commits a rollout's new state with its transitions and (for real transitions) an audit entry. */
export function record(s: CoordinatorState, { before, after, events, actor, now, action, reason, alsoInTransaction }: RecordedChange): void {
  commit(s, () => {
    s.rollouts.save(after, now);
    const alsoDirty = alsoInTransaction?.() ?? false;
    s.rollouts.recordTransitions(before, after, events, actor, now);
    const real = events.filter((e) => e.type !== 'waiting');
    if (action && real.length > 0) {
      s.audit.append(now, {
        actor,
        action,
        target: after.id,
        flags: [after.flag],
        reason: reason ?? after.lastDecision,
        diff: { before: { status: before.status, percent: before.percent }, after: { status: after.status, percent: after.percent }, events: real },
      });
    }
    if (isTerminal(after)) s.tickFailures.clear(new Set([after.id]));
    return { result: undefined, dirty: needsPublish(events) || alsoDirty };
  });
}
