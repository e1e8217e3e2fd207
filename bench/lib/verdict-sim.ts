/**
 * Simulated rollouts replayed minute by minute through the real verdict code: the sequential
 * relative guard and sample-ratio test (src/core/health/sequential/) and, beside them on the same
 * minutes, the old rule (src/core/health/sustained.ts: every one of the last 5 one-minute buckets
 * over 1 % errors with ≥ 100 samples) and the same limit with confidence (absolute-bound.ts). Pure and seeded: the same seed gives the same outcomes.
 *
 * Model: each minute, each cohort's requests are Poisson around the flag's traffic times the
 * cohort's share, and each request errs independently with the cohort's rate (binomial); a lossy
 * reporter keeps each of the treatment's reports with a fixed chance. Traffic is flat (no daily
 * cycle) and errors independent (no bursts): the model the guarantees are stated for.
 */
import { MINUTE_MS } from '../../src/core/metrics/minutes';
import type { MinuteStats } from '../../src/core/metrics/window-stats';
import { sustainedTrigger } from '../../src/core/health/sustained';
import { advanceRelative, initialRelativeGuard, relativeGuardFails } from '../../src/core/health/sequential/relative-guard';
import { advanceSampleRatio, initialSampleRatio, sampleRatioMismatch } from '../../src/core/health/sequential/sample-ratio';
import { exceedsWithConfidence, wilsonLowerBound, wilsonUpperBound } from '../../src/core/health/sequential/absolute-bound';
import { zHealthThresholds, type HealthThresholds } from '../../src/core/schema/rollout';
import { binomial, poisson, type Uniform } from './random-counts';

/** The seed's default limits: the old rule exactly as the cron applies it today. */
export const OLD_RULE_THRESHOLDS: HealthThresholds = zHealthThresholds.parse({});

/** The absolute limit with confidence: a minute breaches when its error rate's one-sided lower bound at this confidence is above the limit. */
export const ABSOLUTE_CONFIDENCE = 0.99;

export interface SimStage {
  /** The treatment's share of the flag's traffic, in (0, 1). */
  share: number;
  minutes: number;
}

export interface RolloutSpec {
  baselineErrorRate: number;
  treatmentErrorRate: number;
  /** Both cohorts' requests per minute together. */
  flagRequestsPerMinute: number;
  stages: readonly SimStage[];
  /** The chance that the reporter delivers each of the treatment's reports (1: all). */
  treatmentReportKept?: number;
}

/** When a rule first fired: the minute (1-based) and the treatment's requests served until then. */
export interface Firing {
  minute: number;
  treatmentRequests: number;
}

export interface RolloutOutcome {
  relative: Firing | null;
  oldRule: Firing | null;
  /** The old rule's limit and 5 minutes, but a minute breaches only when the limit is exceeded with confidence (no minimum sample). */
  absolute: Firing | null;
  sampleRatio: Firing | null;
  minutes: number;
  treatmentRequests: number;
}

/** Replays one rollout; each rule is judged on the same minutes as if it alone were deciding, and stops at its first firing. */
export function simulateRollout(spec: RolloutSpec, alpha: number, u: Uniform): RolloutOutcome {
  const keep = spec.treatmentReportKept ?? 1;
  let relative = initialRelativeGuard();
  let srm = initialSampleRatio();
  const out: RolloutOutcome = { relative: null, oldRule: null, absolute: null, sampleRatio: null, minutes: 0, treatmentRequests: 0 };
  let confidentStreak = 0;
  const recent: MinuteStats[] = [];
  let minute = 0;
  let served = 0;
  for (const stage of spec.stages) {
    for (let m = 0; m < stage.minutes; m++) {
      minute++;
      const nT = poisson(u, spec.flagRequestsPerMinute * stage.share);
      const nB = poisson(u, spec.flagRequestsPerMinute * (1 - stage.share));
      const xT = binomial(u, nT, spec.treatmentErrorRate);
      const xB = binomial(u, nB, spec.baselineErrorRate);
      served += nT;
      // What arrives: errors and successes of the treatment thinned apart by a lossy reporter.
      const xTr = keep < 1 ? binomial(u, xT, keep) : xT;
      const nTr = keep < 1 ? xTr + binomial(u, nT - xT, keep) : nT;
      if (!out.relative) {
        relative = advanceRelative(relative, { treatmentRequests: nTr, treatmentEvents: xTr, baselineRequests: nB, baselineEvents: xB });
        if (relativeGuardFails(relative, alpha)) out.relative = { minute, treatmentRequests: served };
      }
      if (!out.sampleRatio) {
        srm = advanceSampleRatio(srm, { treatmentRequests: nTr, baselineRequests: nB, expectedShare: stage.share });
        if (sampleRatioMismatch(srm, alpha)) out.sampleRatio = { minute, treatmentRequests: served };
      }
      if (!out.oldRule) {
        recent.push({ minute: minute * MINUTE_MS, samples: nTr, errors: xTr, errorRate: nTr > 0 ? xTr / nTr : null, p95Ms: null, p99Ms: null });
        if (recent.length > OLD_RULE_THRESHOLDS.sustainedMinutes) recent.shift();
        if (sustainedTrigger(recent, OLD_RULE_THRESHOLDS)) out.oldRule = { minute, treatmentRequests: served };
      }
      if (!out.absolute) {
        confidentStreak = exceedsWithConfidence(xTr, nTr, OLD_RULE_THRESHOLDS.maxErrorRate, ABSOLUTE_CONFIDENCE) ? confidentStreak + 1 : 0;
        if (confidentStreak >= OLD_RULE_THRESHOLDS.sustainedMinutes) out.absolute = { minute, treatmentRequests: served };
      }
      if (out.relative && out.sampleRatio && out.oldRule && out.absolute) {
        out.minutes = minute;
        out.treatmentRequests = served;
        return out;
      }
    }
  }
  out.minutes = minute;
  out.treatmentRequests = served;
  return out;
}

/** A draw log-uniform in [lo, hi]. */
export function logUniform(u: Uniform, lo: number, hi: number): number {
  return Math.exp(Math.log(lo) + u() * (Math.log(hi) - Math.log(lo)));
}

/** The stage shares of the issue: 5, 10, 25, 50, 75 %. */
export const STAGE_SHARES: readonly number[] = [0.05, 0.1, 0.25, 0.5, 0.75];

/**
 * An A/A rollout: treatment = baseline, baseline errors log-uniform in 0.1–2 %, the flag's
 * traffic log-uniform so that the treatment serves 10 requests/min at 5 % up to 100,000 at 75 %,
 * every stage `minutesPerStage` long.
 */
export function aaSpec(u: Uniform, minutesPerStage: number): RolloutSpec {
  const rate = logUniform(u, 0.001, 0.02);
  return {
    baselineErrorRate: rate,
    treatmentErrorRate: rate,
    flagRequestsPerMinute: logUniform(u, 10 / 0.05, 100_000 / 0.75),
    stages: STAGE_SHARES.map((share) => ({ share, minutes: minutesPerStage })),
  };
}

/** A proportion with its two-sided 95 % Wilson interval. */
export interface Proportion {
  hits: number;
  trials: number;
  rate: number;
  low: number;
  high: number;
}

export function proportion(hits: number, trials: number): Proportion {
  return { hits, trials, rate: trials > 0 ? hits / trials : 0, low: wilsonLowerBound(hits, trials, 0.975), high: wilsonUpperBound(hits, trials, 0.975) };
}

/**
 * The q-quantile of values (Infinity for "never") with a distribution-free 95 % interval from
 * order statistics (normal approximation to the binomial of the rank).
 */
export function quantileWithInterval(values: readonly number[], q: number): { value: number; low: number; high: number } {
  const sorted = [...values].sort((a, b) => a - b);
  const n = sorted.length;
  const at = (rank: number) => sorted[Math.min(n - 1, Math.max(0, rank))] ?? Number.NaN;
  const spread = 1.96 * Math.sqrt(n * q * (1 - q));
  return { value: at(Math.ceil(n * q) - 1), low: at(Math.floor(n * q - spread) - 1), high: at(Math.ceil(n * q + spread) - 1) };
}
