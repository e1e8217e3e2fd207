import type { HealthInput, HealthThresholds, Trigger, Verdict } from '../schema/rollout';
import type { MinuteStats, WindowStats } from '../metrics/window-stats';
import { bakeVerdict } from './bake';
import { firstExceeded } from './limits';
import { verdictNumbers } from './numbers';
import { sustainedTrigger } from './sustained';

export type { MinuteStats } from '../metrics/window-stats';

/** What the health policy judges a rollout's treatment cohort on. */
export interface HealthSignals {
  /** The last `t.sustainedMinutes` complete minutes of the treatment variant, oldest first; a minute with no data has samples 0. */
  minutes: readonly MinuteStats[];
  /** Those minutes aggregated. */
  window: WindowStats;
  /** The baseline variant over the same window, for display only. */
  baseline?: WindowStats;
  /** The highest consecutive-failure count among the environment's probes. */
  probeFailures: number;
  /** The treatment aggregated over the bake so far; present only while baking. */
  bake?: WindowStats;
}

/** The verdicts for one tick: the window's, and the bake's while baking. */
export function healthVerdict(signals: HealthSignals, t: HealthThresholds): HealthInput {
  const window = windowVerdict(signals, t);
  return signals.bake ? { window, bake: bakeVerdict(signals.bake, t) } : { window };
}

function firstMinuteExceeded(minutes: readonly MinuteStats[], t: HealthThresholds): Trigger | null {
  for (const m of minutes) {
    if (m.samples < t.minSamples) continue;
    const hit = firstExceeded(m, t);
    if (hit) return hit;
  }
  return null;
}

/**
 * Probes first (they need no metrics), then a sustained breach, then too few samples, then a limit
 * exceeded by the aggregate but not yet for long enough (hold), else healthy.
 * A breach's numbers are the window's: by contract the window aggregates exactly the minutes that
 * breached, so they show the size of the breach over its whole span, not one minute's spike.
 */
function windowVerdict(s: HealthSignals, t: HealthThresholds): Verdict {
  const numbers = verdictNumbers(s.window, s.probeFailures, s.baseline);
  if (s.probeFailures >= t.maxProbeFailures) return { kind: 'breached', trigger: 'probes', numbers };
  const sustained = sustainedTrigger(s.minutes, t);
  if (sustained) return { kind: 'breached', trigger: sustained, numbers };
  if (s.window.samples < t.minSamples) return { kind: 'insufficient-data', samples: s.window.samples, required: t.minSamples, numbers };
  // Hold while the aggregate or any well-sampled minute is over a limit: a spike that has just
  // begun must not be promoted into, even before it is sustained enough to roll back.
  const exceeded = firstExceeded(s.window, t) ?? firstMinuteExceeded(s.minutes, t);
  if (exceeded) return { kind: 'degraded', trigger: exceeded, numbers };
  return { kind: 'healthy', numbers };
}
