import type { GuardState } from '../schema/guards';
import type { HealthInput, Rollout } from '../schema/rollout';
import { advanceGuards, initialGuards, type MinutePair, restartWeight, trackShare } from './guard-state';
import { healthVerdict, type HealthSignals } from './policy';

/** What a tick gathered about one rollout from its metrics shard. */
export interface RolloutSignals extends Omit<HealthSignals, 'guards' | 'probeFailures'> {
  /** Complete minutes of both cohorts since the guards' last (or for late reports, recent) minute. */
  pairs: readonly MinutePair[];
  /**
   * False when the reported share cannot be expected to follow the rollout's percent: the flag has
   * targeting rules, so the users they match report the variant a rule gives them, whatever the
   * stage. The sample-ratio check is then skipped (it would hold forever, blaming a sound reporter).
   */
  sampleRatioApplies?: boolean;
}

/**
 * One rollout's verdict at a tick: its sequential guards advanced by the minutes that completed
 * (from the rollout's stored state: the tick's transaction reads the row it writes back), then the
 * health policy over the guards, the last minutes and the probes. Pure.
 * A rollout without stored guards (started before they existed, or whose state was unreadable)
 * starts them now; its percent is taken as served since its last tick.
 */
export function judgeRollout(r: Rollout, signals: RolloutSignals, probeFailures: number, now: number): { health: HealthInput; guards: GuardState } {
  const start = r.guards ?? initialGuards(r.percent, r.lastTickAt ?? r.startedAt);
  const guards = advanceGuards(
    trackShare(start, r.percent, now, restartWeight(r.plan.stages.length)),
    signals.pairs,
    signals.baseline !== undefined && signals.sampleRatioApplies !== false,
    r.plan.health.alpha,
  );
  return { health: healthVerdict({ ...signals, probeFailures, guards }, r.plan.health), guards };
}
