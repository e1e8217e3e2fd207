import type { GuardState } from '../schema/guards';
import type { HealthInput, HealthThresholds, Trigger, Verdict } from '../schema/rollout';
import { mergeInto } from '../metrics/sketch';
import { countOf, type MinuteBucket, type WindowStats } from '../metrics/window-stats';
import { ABSOLUTE_CONFIDENCE, firstConfidentlyExceeded, sustainedTrigger } from './absolute';
import { bakeVerdict } from './bake';
import { failingRelativeGuard, guardEvidence, sampleRatioOff } from './evidence';
import { exceedsLimit, type MetricTrigger } from './limits';
import { verdictNumbers } from './numbers';
import { wilsonUpperBound } from './sequential/absolute-bound';

/** What the health policy judges a rollout on. */
export interface HealthSignals {
  /** The treatment's last `t.sustainedMinutes` complete minutes, oldest first; a minute with no data has count 0. */
  minutes: readonly MinuteBucket[];
  /** Those minutes aggregated. */
  window: WindowStats;
  /**
   * The baseline over the same window, when there is a baseline cohort to compare with (a rollout
   * below 100 % whose baseline variant is known); absent otherwise.
   */
  baseline?: WindowStats;
  /** The highest consecutive-failure count among the environment's probes. */
  probeFailures: number;
  /** The treatment aggregated over the bake so far; present only while baking. */
  bake?: WindowStats;
  /** The sequential guards, advanced through the last complete minute; absent when none were kept. */
  guards?: GuardState;
}

/** The verdicts for one tick: the window's, and the bake's while baking. */
export function healthVerdict(signals: HealthSignals, t: HealthThresholds): HealthInput {
  const window = windowVerdict(signals, t);
  return signals.bake ? { window, bake: bakeVerdict(signals.bake, t) } : { window };
}

/**
 * Pass, fail or inconclusive, in this order:
 * 1. fail: probes failing; a limit breached with confidence for `sustainedMinutes` while the
 *    baseline stays within it; a guard comparing with the baseline has its evidence (the
 *    treatment is significantly worse, whatever the limits, and even when the baseline breaches too);
 * 2. inconclusive: a limit breached by both cohorts (environment-wide: hold, or roll back when
 *    `onEnvironmentWide` says so); the sample ratio is off (the reports cannot be trusted); too
 *    few samples in either cohort; a limit exceeded with confidence but not yet for long enough;
 * 3. pass.
 * Rolling back never waits for the sample ratio: the limits judge the treatment's own numbers.
 */
function windowVerdict(s: HealthSignals, t: HealthThresholds): Verdict {
  const numbers = verdictNumbers(s.window, s.probeFailures, s.baseline);
  if (s.guards) numbers.guards = guardEvidence(s.guards, t.alpha);
  if (s.probeFailures >= t.maxProbeFailures) return { kind: 'breached', trigger: 'probes', numbers };
  const sustained = sustainedTrigger(s.minutes, t);
  const everywhere = sustained !== null && s.baseline !== undefined && baselineMayBreach(s.baseline, sustained, t);
  if (sustained && (!everywhere || t.onEnvironmentWide === 'rollback')) return { kind: 'breached', trigger: sustained, numbers };
  const relative = s.guards ? failingRelativeGuard(s.guards, t.alpha) : null;
  if (relative) return { kind: 'breached', trigger: `${relative}_vs_baseline`, numbers };
  if (sustained) return { kind: 'held', cause: 'environment_wide', trigger: sustained, numbers };
  if (s.guards && s.baseline && sampleRatioOff(s.guards, t.alpha)) return { kind: 'held', cause: 'sample_ratio', numbers };
  if (s.window.samples < t.minSamples) return { kind: 'insufficient-data', samples: s.window.samples, required: t.minSamples, numbers };
  if (s.baseline && s.baseline.samples < t.minSamples)
    return { kind: 'insufficient-data', samples: s.baseline.samples, required: t.minSamples, cohort: 'baseline', numbers };
  // Hold while the window or any well-sampled minute is over a limit with confidence: a spike that
  // has just begun must not be promoted into, even before it is sustained enough to roll back.
  const exceeded = firstExceeded(s.minutes, t);
  if (exceeded) return { kind: 'degraded', trigger: exceeded, numbers };
  return { kind: 'healthy', numbers };
}

/**
 * True when the baseline breaches the limit of `trigger` as well, or may: the treatment's breach is
 * judged with confidence, so the baseline must be shown within the limit with the same confidence
 * before the breach counts as the treatment's own. Otherwise, at a high stage, a smaller baseline's
 * estimate dips under a limit that both cohorts exceed alike, and a treatment no worse than its
 * baseline is rolled back. A baseline with fewer than `minSamples` reports says nothing either way
 * (as before: the breach is the treatment's). Latency has no counts in the window's stats, so its
 * estimate is used as it is.
 */
function baselineMayBreach(baseline: WindowStats, trigger: MetricTrigger, t: HealthThresholds): boolean {
  if (exceedsLimit(baseline, trigger, t)) return true;
  if (trigger !== 'error_rate' || baseline.samples < t.minSamples) return false;
  return wilsonUpperBound(Math.min(baseline.errors, baseline.samples), baseline.samples, ABSOLUTE_CONFIDENCE) > t.maxErrorRate;
}

function firstExceeded(minutes: readonly MinuteBucket[], t: HealthThresholds): Trigger | null {
  const inWindow = firstConfidentlyExceeded(merged(minutes), t);
  if (inWindow) return inWindow;
  for (const m of minutes) {
    if (countOf(m.count) < t.minSamples) continue;
    const hit = firstConfidentlyExceeded(m, t);
    if (hit) return hit;
  }
  return null;
}

/** The minutes as one bucket: counts add, sketches merge. */
function merged(minutes: readonly MinuteBucket[]): MinuteBucket {
  const out: MinuteBucket = { minute: minutes[0]?.minute ?? 0, count: 0, errors: 0, bins: {} };
  for (const m of minutes) {
    out.count += countOf(m.count);
    out.errors += countOf(m.errors);
    mergeInto(out.bins, m.bins);
  }
  return out;
}
