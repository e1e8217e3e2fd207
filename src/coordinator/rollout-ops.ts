import { resolveFlag } from '../core/config/resolve-environment';
import type { RolloutActionName } from '../core/rollout/actions';
import { ownValue } from '../core/json';
import { MAX_DATE_MS } from '../core/numbers';
import { applyAction, isActive, nextPromotionAt, planFor, startRollout } from '../core/rollout';
import { type Rollout, zRolloutAction, zStartRollout } from '../core/schema/rollout';
import { type BrokenRollout, isBroken, type StoredRollout, type Transition } from './rollout-rows';
import type { TickError } from './tick-failures';
import type { FoldError } from './fold-failures';
import { fromZod as fromZodIssues } from '../core/config/issues';
import { fail, ok, type Outcome } from './outcome';
import { record } from './rollout-record';
import { commit, type CoordinatorState } from './state';

/** Operator actions on a rollout. */
export type { RolloutActionName };

/** A rollout as the admin API shows it; `tickError` while its ticks fail. */
export type RolloutView = Rollout & { nextPromotionAt: string | null; history?: Transition[]; tickError?: TickError; foldError?: FoldError };

/** A rollout whose stored row does not parse, as the admin API shows it. */
export type BrokenRolloutView = BrokenRollout & { nextPromotionAt: null; history?: Transition[]; tickError?: TickError };

/** Any stored rollout as the admin API shows it. */
export type StoredRolloutView = RolloutView | BrokenRolloutView;

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
