import { pointer } from '../json-pointer';
import { type HealthThresholds, type RolloutPlan, type Stage, type StartRollout, zHealthThresholds } from '../schema/rollout';
import { scheduleOf } from './strategies';

/** A refusal of a start request, located by a JSON Pointer into the request body. */
export interface PlanError {
  path: string;
  message: string;
}

/** The outcome of resolving a start request into a plan. */
export type PlanResult = { ok: true; plan: RolloutPlan } | { ok: false; errors: PlanError[] };

/** Resolves a start request into a plan: the strategy's schedule unless overridden, default health limits overlaid with the request's. */
export function planFor(input: StartRollout): PlanResult {
  const schedule = scheduleOf(input.strategy);
  const stages = input.stages ? input.stages.map((s) => ({ ...s })) : schedule.stages;
  // Built-in schedules are valid by construction (and tested), so every error points into the request.
  const errors = stageErrors(stages);
  if (errors.length > 0) return { ok: false, errors };
  return {
    ok: true,
    plan: {
      strategy: input.strategy,
      stages,
      bakeSeconds: input.bakeSeconds ?? schedule.bakeSeconds,
      health: healthFor(input.health),
    },
  };
}

/** The default health limits with the request's overrides laid over them. */
export function healthFor(overrides: Partial<HealthThresholds> | undefined): HealthThresholds {
  const health = zHealthThresholds.parse({});
  // Skip explicit `undefined`s: a partial object may carry them, and they must not erase a default.
  const defined = Object.fromEntries(Object.entries(overrides ?? {}).filter(([, value]) => value !== undefined)) as Partial<HealthThresholds>;
  return { ...health, ...defined };
}

/** The rules a schedule must obey: start at once, climb strictly, never go back in time, end at 100 %. */
export function stageErrors(stages: readonly Stage[]): PlanError[] {
  const errors: PlanError[] = [];
  if (stages.length === 0) return [{ path: pointer('stages'), message: 'at least one stage is required' }];
  const first = stages[0]!;
  if (first.afterSeconds !== 0) {
    errors.push({ path: pointer('stages', 0, 'afterSeconds'), message: `the first stage must start at once (afterSeconds 0), not ${first.afterSeconds}` });
  }
  for (let i = 1; i < stages.length; i++) {
    const prev = stages[i - 1]!;
    const stage = stages[i]!;
    if (!(stage.percent > prev.percent)) {
      errors.push({ path: pointer('stages', i, 'percent'), message: `percent must be greater than the previous stage's ${prev.percent}` });
    }
    if (stage.afterSeconds < prev.afterSeconds) {
      errors.push({ path: pointer('stages', i, 'afterSeconds'), message: `afterSeconds must not be earlier than the previous stage's ${prev.afterSeconds}` });
    }
  }
  const last = stages.length - 1;
  if (stages[last]!.percent !== 100) {
    errors.push({ path: pointer('stages', last, 'percent'), message: `the last stage must reach 100, not ${stages[last]!.percent}` });
  }
  return errors;
}
