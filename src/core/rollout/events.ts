import type { HealthNumbers, HoldCause, Trigger } from '../schema/rollout';

/** What a tick or an operator action did, for the audit log and for deciding to publish. */
export type RolloutEvent =
  | { type: 'promoted'; fromPercent: number; toPercent: number; stageIndex: number; manual: boolean }
  | { type: 'bake_started'; percent: number; endsAt: number }
  | { type: 'completed'; percent: number }
  | { type: 'rolled_back'; fromPercent: number; trigger?: Trigger; numbers?: HealthNumbers; manual: boolean; reason?: string }
  | { type: 'paused'; reason?: string }
  | { type: 'resumed'; pausedMs: number; reason?: string }
  | { type: 'waiting'; reason: string }
  | { type: 'held'; cause: HoldCause; reason: string; numbers: HealthNumbers };

export type RolloutEventType = RolloutEvent['type'];

/** Events that change the served percentage or the rollout's status; the others only record. */
const PUBLISHING: ReadonlySet<RolloutEventType> = new Set(['promoted', 'completed', 'rolled_back', 'paused', 'resumed']);

/** True when the events changed the rollout's percent or status, so the snapshot must be republished. */
export function needsPublish(events: readonly RolloutEvent[]): boolean {
  return events.some((e) => PUBLISHING.has(e.type));
}
