import { resolveFlag } from '../core/config/resolve-environment';
import { ownValue } from '../core/json';
import { applyAction, needsPublish, nextPromotionAt, planFor, type RolloutEvent, startRollout, tickRollout } from '../core/rollout';
import { type HealthInput, type Rollout, zRolloutAction, zStartRollout } from '../core/schema/rollout';
import type { Transition } from './rollout-rows';
import { fromZod as fromZodIssues } from '../core/config/issues';
import { SYSTEM_ACTOR } from './actors';
import { foldCompletion } from './fold-completion';
import { fail, ok, type Outcome } from './outcome';
import { commit, type CoordinatorState } from './state';

/** Operator actions on a rollout. */
export type RolloutActionName = 'promote' | 'pause' | 'resume' | 'rollback';

/** A rollout as the admin API shows it. */
export type RolloutView = Rollout & { nextPromotionAt: string | null; history?: Transition[] };


/** The API view of a rollout. */
export function viewOf(r: Rollout, history?: Transition[]): RolloutView {
  const next = nextPromotionAt(r);
  return { ...r, nextPromotionAt: next === null ? null : new Date(next).toISOString(), ...(history ? { history } : {}) };
}

/** Starts a rollout after checking the flag, its variants, the plan and that none is active on the flag. */
export function start(s: CoordinatorState, body: unknown, actor: string, now: number, id: string): Outcome<RolloutView> {
  const parsed = zStartRollout.safeParse(body);
  if (!parsed.success) return fail(422, 'the rollout request is invalid', { errors: fromZodIssues(parsed.error) });
  const input = parsed.data;
  const config = s.configs.latest()?.config;
  const flag = ownValue(config?.flags, input.flag);
  if (!config || !flag) return fail(422, `flag "${input.flag}" does not exist in ${s.environment()}`, { errors: [{ path: '/flag', message: 'no such flag' }] });
  const resolved = resolveFlag(flag, s.environment());
  for (const [path, v] of [['/variant', input.variant], ['/baselineVariant', input.baselineVariant]] as const) {
    if (v !== undefined && !Object.hasOwn(resolved.variants, v)) {
      return fail(422, `variant "${v}" does not exist in flag "${input.flag}"`, { errors: [{ path, message: `known: ${Object.keys(resolved.variants).join(', ')}` }] });
    }
  }
  if (input.baselineVariant === undefined && !resolved.defaultVariant) {
    return fail(422, `flag "${input.flag}" has no default variant here; name a baselineVariant`, { errors: [{ path: '/baselineVariant', message: 'required' }] });
  }
  const active = s.rollouts.activeForFlag(input.flag);
  if (active) return fail(409, `flag "${input.flag}" already has an active rollout (${active.id})`, { rolloutId: active.id });
  const planned = planFor(input);
  if (!planned.ok) return fail(422, 'the rollout plan is invalid', { errors: planned.errors });
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
export function act(s: CoordinatorState, id: string, action: RolloutActionName, body: unknown, actor: string, now: number): Outcome<RolloutView & { changed: boolean }> {
  const parsed = zRolloutAction.safeParse(body);
  if (!parsed.success) return fail(422, 'the action request is invalid', { errors: fromZodIssues(parsed.error) });
  const before = s.rollouts.get(id);
  if (!before) return fail(404, `no rollout ${id} in ${s.environment()}`);
  const { rollout, events, changed } = applyAction(before, action, parsed.data, now);
  const view = viewOf(rollout);
  if (changed) record(s, before, rollout, events, actor, now, `rollout.${action}`, parsed.data.reason);
  return ok({ ...view, changed });
}

/** Ticks every active rollout with its health; returns the rollouts that changed. */
export function tickAll(s: CoordinatorState, now: number, health: Readonly<Record<string, HealthInput>>): Rollout[] {
  const changed: Rollout[] = [];
  for (const before of s.rollouts.active()) {
    const input = health[before.id] ?? { window: { kind: 'insufficient-data', samples: 0, required: before.plan.health.minSamples } };
    const { rollout, events } = tickRollout(before, now, input);
    const action = events.find((e) => e.type !== 'waiting')?.type;
    const completed = events.some((e) => e.type === 'completed');
    record(s, before, rollout, events, SYSTEM_ACTOR, now, action ? `rollout.auto_${action}` : null, null, completed ? () => foldCompletion(s, rollout, now) : undefined);
    if (needsPublish(events)) changed.push(rollout);
  }
  return changed;
}

/** Commits a rollout's new state with its transitions and (for real transitions) an audit entry. */
function record(
  s: CoordinatorState,
  before: Rollout,
  after: Rollout,
  events: readonly RolloutEvent[],
  actor: string,
  now: number,
  action: string | null,
  reason: string | null,
  alsoInTransaction?: () => void,
): void {
  commit(s, () => {
    s.rollouts.save(after, now);
    alsoInTransaction?.();
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
    return { result: undefined, dirty: needsPublish(events) };
  });
}

