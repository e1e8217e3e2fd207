import { needsPublish, tickRollout } from '../core/rollout';
import { restartWeight, trackShare } from '../core/health/guard-state';
import type { GuardState } from '../core/schema/guards';
import type { HealthInput, Rollout } from '../core/schema/rollout';
import { isBroken, type StoredRollout } from './rollout-rows';
import { SYSTEM_ACTOR } from './actors';
import { foldCompletion } from './fold-completion';
import { logEvent } from '../log';
import { MAX_TICK_MESSAGE } from './tick-failures';
import { record } from './rollout-record';
import { commit, type CoordinatorState } from './state';

/** What ticking the rollouts did. */
export interface TickAllResult {
  /** Rollouts whose served percentage or status changed. */
  changed: Rollout[];
  /** Rollouts whose tick failed (held). */
  failed: string[];
  /** Whether the published state changed (a transition, or a failure started or cleared). */
  dirty: boolean;
}

/**
 * Ticks every active rollout with its health. Each rollout is its own room: a row that does not
 * parse, a verdict that could not be formed (`failures`) or a tick that throws holds that rollout
 * and is recorded; the others tick on.
 */
export function tickAll(s: CoordinatorState, now: number, judge: Judge, failures: ReadonlyMap<string, string> = new Map()): TickAllResult {
  const out: TickAllResult = { changed: [], failed: [], dirty: false };
  const active = s.rollouts.activeRows();
  for (const before of active) {
    let error = isBroken(before) ? before.broken : (failures.get(before.id) ?? null);
    if (error === null && !isBroken(before)) {
      try {
        const result = tickOne(s, before, now, judge);
        if (result.changed) out.changed.push(result.rollout);
        out.dirty ||= result.dirty;
      } catch (err) {
        error = errorMessage(err);
      }
    }
    if (error !== null) {
      out.failed.push(before.id);
      out.dirty = noteTickFailure(s, before, error, now) || out.dirty;
    }
  }
  // Failures of rollouts that ended meanwhile are no longer anyone's concern.
  const ids = new Set(active.map((r) => r.id));
  const gone = new Set(
    s.tickFailures
      .all()
      .filter((f) => !ids.has(f.rollout))
      .map((f) => f.rollout),
  );
  if (gone.size > 0) out.dirty = commit(s, () => ({ result: true, dirty: s.tickFailures.clear(gone).length > 0 })) || out.dirty;
  return out;
}

/**
 * A rollout's verdict at this tick, judged against the row the tick's transaction holds, and its
 * guards' state after it (absent when the verdict came from elsewhere and the guards stay as they are).
 */
export type Judge = (rollout: Rollout) => { health: HealthInput; guards?: GuardState };

/** Ticks one rollout; a tick that succeeds after failures clears them (audited). */
function tickOne(s: CoordinatorState, before: Rollout, now: number, judge: Judge): { rollout: Rollout; changed: boolean; dirty: boolean } {
  const judged = judge(before);
  const ticked = tickRollout(before, now, judged.health);
  const events = ticked.events;
  // The served percent from now on, so that the sample-ratio check skips the minutes right after a change.
  const rollout = judged.guards
    ? { ...ticked.rollout, guards: trackShare(judged.guards, ticked.rollout.percent, now, restartWeight(ticked.rollout.plan.stages.length)) }
    : ticked.rollout;
  const action = events.find((e) => e.type !== 'waiting')?.type;
  const completed = events.some((e) => e.type === 'completed');
  const recovered = s.tickFailures.get(before.id);
  const alsoInTransaction = () => {
    if (completed) noteFoldFailure(s, rollout, foldCompletion(s, rollout, now), now);
    if (!recovered) return false;
    s.tickFailures.clear(new Set([before.id]));
    s.audit.append(now, {
      actor: SYSTEM_ACTOR,
      action: 'rollout.tick_recovered',
      target: before.id,
      flags: [before.flag],
      reason: `tick succeeded again after failing since ${new Date(recovered.since).toISOString()}`,
      diff: { since: new Date(recovered.since).toISOString(), lastError: recovered.message },
    });
    logEvent({ event: 'rollout_tick_recovered', environment: s.environment(), rollout: before.id, flag: before.flag, since: recovered.since });
    return true;
  };
  record(s, { before, after: rollout, events, actor: SYSTEM_ACTOR, now, action: action ? `rollout.auto_${action}` : null, reason: null, alsoInTransaction });
  return { rollout, changed: needsPublish(events), dirty: needsPublish(events) || recovered !== undefined };
}

/**
 * Records a completed rollout whose variant could not become the flag's default: kept for the
 * admin API (`foldError`), audited and logged, so the operator can set the default by hand.
 */
function noteFoldFailure(s: CoordinatorState, r: Rollout, problem: string | null, now: number): void {
  if (problem === null) return;
  s.foldFailures.set({ rollout: r.id, at: now, message: problem });
  s.audit.append(now, {
    actor: SYSTEM_ACTOR,
    action: 'rollout.fold_failed',
    target: r.id,
    flags: [r.flag],
    reason: `rollout ${r.id} completed but "${r.variant}" could not become the default of ${r.flag}: ${problem}`,
    diff: { variant: r.variant, problem },
  });
  logEvent({ event: 'rollout_fold_failed', environment: s.environment(), rollout: r.id, flag: r.flag, message: problem });
}

/**
 * Records a rollout's failed tick: audited and logged when it starts or its message changes (not
 * every minute); a failure that starts republishes, so the edge's /health shows it. Returns
 * whether the published state changed.
 */
function noteTickFailure(s: CoordinatorState, r: StoredRollout, error: string, now: number): boolean {
  const message = error.slice(0, MAX_TICK_MESSAGE);
  const prev = s.tickFailures.get(r.id);
  if (prev?.message === message) return false;
  const since = prev?.since ?? now;
  const held = isBroken(r) ? 'held; its flag serves the baseline' : `held at ${r.percent}%`;
  logEvent({ event: 'rollout_tick_failed', environment: s.environment(), rollout: r.id, flag: r.flag, since, message });
  return commit(s, () => {
    s.tickFailures.set({ rollout: r.id, flag: r.flag, since, message });
    s.audit.append(now, {
      actor: SYSTEM_ACTOR,
      action: 'rollout.tick_failed',
      target: r.id,
      flags: [r.flag],
      reason: `${message}; ${held}`,
      diff: { since: new Date(since).toISOString(), message, previous: prev?.message ?? null, broken: isBroken(r) },
    });
    return { result: prev === undefined, dirty: prev === undefined };
  });
}

function errorMessage(err: unknown): string {
  return err instanceof Error ? `${err.name}: ${err.message}` : String(err);
}
