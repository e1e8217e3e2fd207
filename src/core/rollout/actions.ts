import type { Rollout, RolloutAction } from '../schema/rollout';
import type { RolloutEvent } from './events';
import { isAtLastStage, isTerminal } from './schedule';
import { promoteOne, rollBack } from './transitions';

/** The operator actions (`POST …/rollouts/{id}/{action}`). */
export const ROLLOUT_ACTIONS = ['promote', 'pause', 'resume', 'rollback'] as const;
export type RolloutActionName = (typeof ROLLOUT_ACTIONS)[number];

const ACTION_NAMES: ReadonlySet<string> = new Set(ROLLOUT_ACTIONS);

/** Whether a name from a URL or a form is one of the operator actions. */
export function isRolloutAction(name: string): name is RolloutActionName {
  return ACTION_NAMES.has(name);
}

/**
 * Whether an action waits for confirmation in a protected environment. Rollback and pause only
 * reduce exposure, so they never wait (an operator at 3 a.m. gets one call); promote and resume
 * increase it. The coordinator enforces it; the CLI and the dashboard ask it to prompt.
 */
export function needsConfirmation(action: RolloutActionName): boolean {
  return action === 'promote' || action === 'resume';
}

/** The outcome of an operator action; `note` says why nothing changed when `changed` is false. */
export interface ActionResult {
  rollout: Rollout;
  events: RolloutEvent[];
  changed: boolean;
  note?: string;
}

/** Applies an operator action at `now`; an action that does not apply (or is a repeat) returns the rollout unchanged. */
export function applyAction(rollout: Rollout, action: RolloutActionName, body: RolloutAction, now: number): ActionResult {
  if (isTerminal(rollout)) return unchanged(rollout, `the rollout has ended (${rollout.status})`);
  switch (action) {
    case 'promote':
      return promote(rollout, body, now);
    case 'pause':
      if (rollout.status !== 'running') return unchanged(rollout, `the rollout is ${rollout.status}`);
      return changed({ ...rollout, status: 'paused', pausedAt: now, lastDecision: `paused by operator: ${body.reason}` }, [
        { type: 'paused', reason: body.reason },
      ]);
    case 'resume': {
      if (rollout.status !== 'paused' || rollout.pausedAt === null) return unchanged(rollout, `the rollout is ${rollout.status}`);
      // Clamped so a clock that stepped back cannot pull the schedule earlier.
      const pausedMs = Math.max(0, now - rollout.pausedAt);
      return changed(
        { ...rollout, status: 'running', pausedAt: null, pausedTotalMs: rollout.pausedTotalMs + pausedMs, lastDecision: `resumed by operator: ${body.reason}` },
        [{ type: 'resumed', pausedMs, reason: body.reason }],
      );
    }
    case 'rollback': {
      const { rollout: next, events } = rollBack(rollout, now, { manual: true, reason: body.reason });
      return changed(next, events);
    }
  }
}

/** One stage forward by hand, paused or running; `fromStage` turns a retried request into a no-op. */
function promote(rollout: Rollout, body: RolloutAction, now: number): ActionResult {
  if (body.fromStage !== undefined && body.fromStage !== rollout.stageIndex) {
    return unchanged(rollout, `the rollout is at stage ${rollout.stageIndex}, not ${body.fromStage}`);
  }
  if (isAtLastStage(rollout)) return unchanged(rollout, 'the rollout is at its last stage');
  const { rollout: next, events } = promoteOne(rollout, now, true, body.reason);
  return changed(next, events);
}

function changed(rollout: Rollout, events: RolloutEvent[]): ActionResult {
  return { rollout, events, changed: true };
}

function unchanged(rollout: Rollout, note: string): ActionResult {
  return { rollout, events: [], changed: false, note };
}
