/**
 * Simulated rollouts replayed minute by minute through the real verdict code: each minute's
 * counts of both cohorts are bucketed as a metrics shard keeps them, the sequential guards are
 * advanced (core/health/guard-state.ts) and the health policy (core/health/policy.ts) judges the
 * last minutes with them, exactly as the cron does. Beside it, on the same minutes, the rule it
 * replaced (old-rule.ts: every one of the last 5 minutes over 1 % errors with ≥ 100 samples).
 * Pure and seeded: the same seed gives the same outcomes.
 *
 * Model: each minute, each cohort's requests are Poisson around the flag's traffic times the
 * cohort's share, and each request errs independently with the cohort's rate (binomial); latency,
 * when simulated, is log-normal per cohort (the treatment's scaled by a factor), drawn into the
 * sketch's bins; a lossy reporter keeps each of the treatment's reports with a fixed chance.
 * Traffic is flat (no daily cycle) and errors independent (no bursts): the model the guarantees
 * are stated for.
 */
import { advanceGuards, initialGuards, restartWeight, trackShare } from '../../src/core/health/guard-state';
import { healthVerdict } from '../../src/core/health/policy';
import { MINUTE_MS } from '../../src/core/metrics/minutes';
import { binUpperEdge } from '../../src/core/metrics/sketch';
import { MAX_BIN as MAX_BIN_INDEX } from '../../src/core/schema/metrics';
import { statsOf, type MinuteBucket, type MinuteStats } from '../../src/core/metrics/window-stats';
import { wilsonLowerBound, wilsonUpperBound } from '../../src/core/health/sequential/absolute-bound';
import { zHealthThresholds, type HealthThresholds, type Trigger } from '../../src/core/schema/rollout';
import { oldSustainedTrigger } from './old-rule';
import { binomial, poisson, standardNormalCdf, type Uniform } from './random-counts';

/** The seed's default limits (1 %, 500 ms, 1000 ms, 5 minutes, 100 samples, α = 1 %): both rules judge with them. */
export const DEFAULT_THRESHOLDS: HealthThresholds = zHealthThresholds.parse({});

export interface SimStage {
  /** The treatment's share of the flag's traffic, in (0, 1). */
  share: number;
  minutes: number;
}

/** Log-normal latency of the baseline (median, σ of the log); the treatment's values are the baseline's times `treatmentFactor`. */
export interface LatencyModel {
  medianMs: number;
  sigma: number;
  treatmentFactor: number;
}

export interface RolloutSpec {
  baselineErrorRate: number;
  treatmentErrorRate: number;
  /** Both cohorts' requests per minute together. */
  flagRequestsPerMinute: number;
  stages: readonly SimStage[];
  /** The chance that the reporter delivers each of the treatment's reports (1: all). */
  treatmentReportKept?: number;
  latency?: LatencyModel;
}

/** When a rule first acted: the minute (1-based), the treatment's requests served until then, and why. */
export interface Firing {
  minute: number;
  treatmentRequests: number;
  trigger?: Trigger;
}

export interface RolloutOutcome {
  /** The new rule's rollback, if any. */
  rollback: Firing | null;
  /** The new rule's first hold for an environment-wide breach, and its first sample-ratio hold. */
  environmentHold: Firing | null;
  sampleRatioHold: Firing | null;
  /** The old rule's rollback on the same minutes. */
  oldRule: Firing | null;
  minutes: number;
  treatmentRequests: number;
}

/** Bin probabilities of a log-normal, as cumulative edges over the bins that hold any mass (precomputed per model). */
interface BinTable {
  bins: number[];
  probs: number[];
}

function binTable(medianMs: number, sigma: number): BinTable {
  const bins: number[] = [];
  const probs: number[] = [];
  const cdf = (x: number) => (x <= 0 ? 0 : standardNormalCdf((Math.log(x) - Math.log(medianMs)) / sigma));
  let below = cdf(binUpperEdge(0));
  if (below > 1e-7) {
    bins.push(0);
    probs.push(below);
  }
  for (let i = 1; i <= MAX_BIN_INDEX; i++) {
    const at = cdf(binUpperEdge(i));
    const p = at - below;
    below = at;
    if (p > 1e-7) {
      bins.push(i);
      probs.push(p);
    }
    if (1 - at < 1e-7) break;
  }
  return { bins, probs };
}

/** `n` values drawn into bins: a multinomial by conditional binomials. */
function drawBins(u: Uniform, n: number, table: BinTable): Record<string, number> {
  const out: Record<string, number> = {};
  let left = n;
  let mass = 1;
  for (let k = 0; k < table.bins.length && left > 0; k++) {
    const p = table.probs[k]!;
    const x = k === table.bins.length - 1 ? left : binomial(u, left, Math.min(1, p / mass));
    mass -= p;
    if (x > 0) {
      out[String(table.bins[k])] = x;
      left -= x;
    }
  }
  return out;
}

/**
 * Replays one rollout; the new rule and the old one are judged on the same minutes, each as if it
 * alone were deciding, and each stops at its first rollback. Stages advance on schedule (the
 * simulation measures how often each rule is wrong over a fixed exposure, not how long promotion takes).
 */
export function simulateRollout(spec: RolloutSpec, u: Uniform, t: HealthThresholds = DEFAULT_THRESHOLDS): RolloutOutcome {
  const keep = spec.treatmentReportKept ?? 1;
  const baseTable = spec.latency ? binTable(spec.latency.medianMs, spec.latency.sigma) : null;
  const treatTable = spec.latency ? binTable(spec.latency.medianMs * spec.latency.treatmentFactor, spec.latency.sigma) : null;
  const out: RolloutOutcome = { rollback: null, environmentHold: null, sampleRatioHold: null, oldRule: null, minutes: 0, treatmentRequests: 0 };
  const first = spec.stages[0]!;
  let guards = initialGuards(first.share * 100, 0);
  const treatment: MinuteBucket[] = [];
  const baseline: MinuteBucket[] = [];
  const oldMinutes: MinuteStats[] = [];
  let minute = 0;
  let served = 0;
  for (const stage of spec.stages) {
    guards = trackShare(guards, stage.share * 100, minute * MINUTE_MS, restartWeight(spec.stages.length));
    for (let m = 0; m < stage.minutes; m++) {
      const at = minute * MINUTE_MS;
      minute++;
      const nT = poisson(u, spec.flagRequestsPerMinute * stage.share);
      const nB = poisson(u, spec.flagRequestsPerMinute * (1 - stage.share));
      const xT = binomial(u, nT, spec.treatmentErrorRate);
      const xB = binomial(u, nB, spec.baselineErrorRate);
      served += nT;
      // What arrives: errors and successes of the treatment thinned apart by a lossy reporter.
      const xTr = keep < 1 ? binomial(u, xT, keep) : xT;
      const nTr = keep < 1 ? xTr + binomial(u, nT - xT, keep) : nT;
      const t1: MinuteBucket = { minute: at, count: nTr, errors: xTr, bins: treatTable ? drawBins(u, nTr, treatTable) : {} };
      const b1: MinuteBucket = { minute: at, count: nB, errors: xB, bins: baseTable ? drawBins(u, nB, baseTable) : {} };
      if (!out.rollback) {
        treatment.push(t1);
        baseline.push(b1);
        if (treatment.length > t.sustainedMinutes) {
          treatment.shift();
          baseline.shift();
        }
        guards = advanceGuards(guards, [{ minute: at, treatment: t1, baseline: b1 }], true);
        const v = healthVerdict({ minutes: treatment, window: statsOf(treatment), baseline: statsOf(baseline), probeFailures: 0, guards }, t).window;
        const firing = { minute, treatmentRequests: served };
        if (v.kind === 'breached') out.rollback = { ...firing, trigger: v.trigger };
        if (v.kind === 'held' && v.cause === 'environment_wide' && !out.environmentHold) out.environmentHold = firing;
        if (v.kind === 'held' && v.cause === 'sample_ratio' && !out.sampleRatioHold) out.sampleRatioHold = firing;
      }
      if (!out.oldRule) {
        oldMinutes.push({ minute: at, samples: nTr, errors: xTr, errorRate: nTr > 0 ? xTr / nTr : null, p95Ms: null, p99Ms: null });
        if (oldMinutes.length > t.sustainedMinutes) oldMinutes.shift();
        if (oldSustainedTrigger(oldMinutes, t)) out.oldRule = { minute, treatmentRequests: served };
      }
      if (out.rollback && out.oldRule) {
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
