/** Pure rollout plan maths: plans, schedules, ticks and operator actions; no clock, no I/O. */
export { STRATEGIES, scheduleOf, type Schedule } from './strategies';
export { planFor, healthFor, stageErrors, type PlanError, type PlanResult } from './plan';
export { startRollout } from './start';
export { stageDueAt, nextPromotionAt, bakeEndsAt, isTerminal, isAtLastStage, TERMINAL_STATUSES, ACTIVE_STATUSES, isActive } from './schedule';
export { needsPublish, type RolloutEvent, type RolloutEventType } from './events';
export { tickRollout } from './tick';
export { applyAction, ROLLOUT_ACTIONS, type ActionResult, type RolloutActionName } from './actions';
export type { Transition, RollbackCause } from './transitions';
