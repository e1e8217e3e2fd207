import { resolveFlag } from '../core/config/resolve-environment';
import type { RolloutActionName } from '../core/rollout/actions';
import { ownValue } from '../core/json';
import { applyAction, isActive, isTerminal, needsPublish, nextPromotionAt, planFor, type RolloutEvent, startRollout, tickRollout } from '../core/rollout';
import { restartWeight, trackShare } from '../core/health/guard-state';
import type { GuardState } from '../core/schema/guards';
import { type HealthInput, type Rollout, zRolloutAction, zStartRollout } from '../core/schema/rollout';
import { type BrokenRollout, isBroken, type StoredRollout, type Transition } from './rollout-rows';
import type { TickError } from './tick-failures';
import type { FoldError } from './fold-failures';
import { fromZod as fromZodIssues } from '../core/config/issues';
import { SYSTEM_ACTOR } from './actors';
import { foldCompletion } from './fold-completion';
import { logEvent } from '../log';
import { MAX_TICK_MESSAGE } from './tick-failures';
import { fail, ok, type Outcome } from './outcome';
import { commit, type CoordinatorState } from './state';

/** Operator actions on a rollout. */
export type { RolloutActionName };

/** A rollout as the admin API shows it; `tickError` while its ticks fail. */
export type RolloutView = Rollout & { nextPromotionAt: string | null; history?: Transition[]; tickError?: TickError; foldError?: FoldError };

/** A rollout whose stored row does not parse, as the admin API shows it. */
export type BrokenRolloutView = BrokenRollout & { nextPromotionAt: null; history?: Transition[]; tickError?: TickError };

/** Any stored rollout as the admin API shows it. */
export type StoredRolloutView = RolloutView | BrokenRolloutView;

/** The latest date a JS Date holds; a time beyond it has no ISO form. */
const MAX_DATE_MS = 8.64e15;

/** The API view of a rollout. Never throws: a due time that is no valid date shows as null. */
export function viewOf(r: Rollout, history?: Transition[], tickError?: TickError, foldError?: FoldError): RolloutView {
  const next = nextPromotionAt(r);
  const valid = next !== null && Number.isFinite(next) && Math.abs(next) <= MAX_DATE_MS;
  return {
    ...r,
    nextPromotionAt: valid ? new Date(next).toISOString() : null,
    ...(history ? { history } : {}),
    ...(tickError ? { tickError } : {}),
    ...(foldError ? { foldError } : {}),
  };
}

/** The API view of a stored rollout, broken or not, with its tick failure if any. */
export function viewOfStored(s: CoordinatorState, r: StoredRollout, history?: Transition[]): StoredRolloutView {
  const tickError = s.tickFailures.errorOf(r.id);
  if (!isBroken(r)) return viewOf(r, history, tickError, r.status === 'completed' ? s.foldFailures.errorOf(r.id) : undefined);
  return { ...r, nextPromotionAt: null, ...(history ? { history } : {}), ...(tickError ? { tickError } : {}) };
}

/** Starts a rollout after checking the flag, its variants, the plan and that none is active on the flag. */
export function start(s: CoordinatorState, body: unknown, actor: string, now: number, id: string): Outcome<RolloutView> {
  const parsed = zStartRollout.safeParse(body);
  if (!parsed.success) return fail(422, 'validation_failed', 'the rollout request is invalid', { errors: fromZodIssues(parsed.error) });
  const input = parsed.data;
  const config = s.configs.latest()?.config;
  const flag = ownValue(config?.flags, input.flag);
  if (!config || !flag)
    return fail(422, 'validation_failed', `flag "${input.flag}" does not exist in ${s.environment()}`, {
      errors: [{ path: '/flag', message: 'no such flag' }],
    });
  const resolved = resolveFlag(flag, s.environment());
  for (const [path, v] of [
    ['/variant', input.variant],
    ['/baselineVariant', input.baselineVariant],
  ] as const) {
    if (v !== undefined && !Object.hasOwn(resolved.variants, v)) {
      return fail(422, 'validation_failed', `variant "${v}" does not exist in flag "${input.flag}"`, {
        errors: [{ path, message: `known: ${Object.keys(resolved.variants).join(', ')}` }],
      });
    }
  }
  if (input.baselineVariant === undefined && !resolved.defaultVariant) {
    return fail(422, 'validation_failed', `flag "${input.flag}" has no default variant here; name a baselineVariant`, {
      errors: [{ path: '/baselineVariant', message: 'required' }],
    });
  }
  // A broken active row still holds its flag: an operator rolls it back first.
  const active = s.rollouts.activeForFlag(input.flag);
  if (active) return fail(409, 'rollout_conflict', `flag "${input.flag}" already has an active rollout (${active.id})`, { rolloutId: active.id });
  // Treatment and baseline would read the same reports: nothing to compare, and a share of one half
  // where the stage's percent is expected would hold the rollout on the sample ratio forever.
  if ((input.baselineVariant ?? resolved.defaultVariant) === input.variant) {
    return fail(
      422,
      'validation_failed',
      `variant "${input.variant}" is the rollout's baseline; roll out another variant, or name a different baselineVariant`,
      {
        errors: [{ path: '/variant', message: 'same as the baseline' }],
      },
    );
  }
  const planned = planFor(input);
  if (!planned.ok) return fail(422, 'validation_failed', 'the rollout plan is invalid', { errors: planned.errors });
  // The baseline is fixed at start, so a later config change cannot silently move it.
  const rollout = startRollout(id, { ...input, baselineVariant: input.baselineVariant ?? resolved.defaultVariant! }, planned.plan, now);
  // The answer is built before the commit: nothing that could throw runs after it.
  const view = viewOf(rollout);
  commit(s, () => {
    s.rollouts.save(rollout, now);
    s.audit.append(now, {
      actor,
      action: 'rollout.start',
      target: rollout.id,
      flags: [rollout.flag],
      reason: input.reason ?? null,
      diff: { after: { status: rollout.status, percent: rollout.percent, variant: rollout.variant, plan: rollout.plan } },
    });
    return { result: undefined, dirty: true };
  });
  return ok(view);
}

/** Applies an operator action; a repeated action changes nothing and answers the current state. */
export function act(
  s: CoordinatorState,
  id: string,
  action: RolloutActionName,
  body: unknown,
  actor: string,
  now: number,
): Outcome<StoredRolloutView & { changed: boolean }> {
  const parsed = zRolloutAction.safeParse(body);
  if (!parsed.success) return fail(422, 'validation_failed', 'the action request is invalid', { errors: fromZodIssues(parsed.error) });
  const before = s.rollouts.get(id);
  if (!before) return fail(404, 'rollout_not_found', `no rollout ${id} in ${s.environment()}`);
  if (isBroken(before)) return actOnBroken(s, before, action, parsed.data.reason, actor, now);
  const { rollout, events, changed } = applyAction(before, action, parsed.data, now);
  // Built before the commit: nothing that could throw runs after it.
  const view = viewOfStored(s, rollout);
  if (changed) record(s, { before, after: rollout, events, actor, now, action: `rollout.${action}`, reason: parsed.data.reason });
  return ok({ ...view, changed });
}

/**
 * A broken row can only be rolled back: that needs nothing but its status column, and takes the
 * flag out of the published state for good (its snapshot already serves the baseline).
 */
function actOnBroken(
  s: CoordinatorState,
  before: BrokenRollout,
  action: RolloutActionName,
  reason: string,
  actor: string,
  now: number,
): Outcome<BrokenRolloutView & { changed: boolean }> {
  const active = isActive(before);
  if (action !== 'rollback') {
    return fail(409, 'rollout_conflict', `rollout ${before.id} cannot be ${action}d: its stored row does not parse (${before.broken}); only rollback applies`, {
      rolloutId: before.id,
    });
  }
  if (!active) return ok({ ...(viewOfStored(s, before) as BrokenRolloutView), changed: false });
  commit(s, () => {
    s.rollouts.setBrokenStatus(before.id, 'rolled_back', now);
    s.rollouts.recordBrokenRollback(before, actor, now, reason);
    s.tickFailures.clear(new Set([before.id]));
    s.audit.append(now, {
      actor,
      action: 'rollout.rollback',
      target: before.id,
      flags: [before.flag],
      reason,
      diff: { before: { status: before.status }, after: { status: 'rolled_back' }, broken: before.broken },
    });
    return { result: undefined, dirty: true };
  });
  const after = s.rollouts.get(before.id)!;
  return ok({ ...(viewOfStored(s, after) as BrokenRolloutView), changed: true });
}

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
function record(s: CoordinatorState, { before, after, events, actor, now, action, reason, alsoInTransaction }: RecordedChange): void {
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
