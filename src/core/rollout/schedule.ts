import type { Rollout, RolloutStatus } from '../schema/rollout';

/** Statuses a rollout never leaves. */
export const TERMINAL_STATUSES: readonly RolloutStatus[] = ['completed', 'rolled_back', 'aborted'];

/** Statuses of a rollout that is under way (the one a flag may have at a time). */
export const ACTIVE_STATUSES = ['running', 'paused'] as const satisfies readonly RolloutStatus[];

/** True while the rollout is under way (running or paused). */
export function isActive(rollout: { status: string }): boolean {
  return (ACTIVE_STATUSES as readonly string[]).includes(rollout.status);
}

/** True when the rollout has ended and nothing (tick or action) may change it. */
export function isTerminal(rollout: Pick<Rollout, 'status'>): boolean {
  return TERMINAL_STATUSES.includes(rollout.status);
}

/** True when the rollout stands at its last stage (100 %), where only the bake remains. */
export function isAtLastStage(rollout: Pick<Rollout, 'stageIndex' | 'plan'>): boolean {
  return rollout.stageIndex >= rollout.plan.stages.length - 1;
}

/**
 * When stage `index` is due: its offset from the start, shifted by the time spent paused.
 * Null while paused (the shift is still growing, so there is no due time yet) and for a stage the plan lacks.
 */
export function stageDueAt(rollout: Rollout, index: number): number | null {
  if (rollout.status === 'paused') return null;
  const stage = rollout.plan.stages[index];
  if (!stage) return null;
  return rollout.startedAt + stage.afterSeconds * 1000 + rollout.pausedTotalMs;
}

/** When the next stage is due; null when running is not what the rollout is doing (paused, ended) or no stage is left. */
export function nextPromotionAt(rollout: Rollout): number | null {
  if (rollout.status !== 'running' || isAtLastStage(rollout)) return null;
  return stageDueAt(rollout, rollout.stageIndex + 1);
}

/**
 * When the bake may end; null before it starts. Not shifted by pauses: traffic stays at 100 %
 * while paused, so the bake keeps observing it; a pause only holds the completion back.
 */
export function bakeEndsAt(rollout: Rollout): number | null {
  if (rollout.bakeStartedAt === null) return null;
  return rollout.bakeStartedAt + rollout.plan.bakeSeconds * 1000;
}
