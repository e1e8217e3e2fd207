import * as z from 'zod';
import { zGuardEvidence, zGuardState } from './guards';

/** The longest reason an operator may give (a rollout action, a config write or revert). */
export const MAX_REASON_CHARS = 1000;
/** The longest duration a rollout may name (a stage's offset, the bake): 90 days, in seconds. */
export const MAX_DURATION_SECONDS = 90 * 24 * 3600;
/** The highest latency limit: 1 hour in ms, the top of the latency sketch's range. */
export const MAX_LATENCY_LIMIT_MS = 3_600_000;
/** The most stages a plan may have. */
export const MAX_STAGES = 100;
/** The largest false-rollback budget a rollout may take: 10 %. */
export const MAX_ALPHA = 0.1;
/** The largest sample count a threshold may ask for (the bound of one report's count). */
export const MAX_MIN_SAMPLES = 1_000_000_000;

const zDurationSeconds = z.number().int().min(0).max(MAX_DURATION_SECONDS, `at most ${MAX_DURATION_SECONDS} seconds (90 days)`);
const zLatencyLimit = z.number().positive().max(MAX_LATENCY_LIMIT_MS, `at most ${MAX_LATENCY_LIMIT_MS} ms (1 hour)`);

/** One stage of a rollout: the percentage of traffic, reached `afterSeconds` after the start. */
function stageSchema<D extends z.ZodType<number>>(duration: D) {
  return z.object({ percent: z.number().gt(0).max(100), afterSeconds: duration });
}

/** Health limits of a rollout; the defaults are the runbook's limits. `bounded` adds the limits of what may enter. */
function thresholdsSchema(bounded: boolean) {
  const latency = bounded ? zLatencyLimit : z.number().positive();
  const count = (max: number) => (bounded ? z.number().int().min(1).max(max) : z.number().int().min(1));
  return z.object({
    /** Roll back when the error rate is above this (fraction, 0.01 = 1 %) … */
    maxErrorRate: z.number().min(0).max(1).default(0.01),
    maxP95Ms: latency.default(500),
    maxP99Ms: latency.default(1000),
    /** … in each of this many consecutive 1-minute buckets. */
    sustainedMinutes: z.number().int().min(1).max(60).default(5),
    /** Reports a bucket (or the last window) needs before it counts. */
    minSamples: count(MAX_MIN_SAMPLES).default(100),
    /** Consecutive failed health-check probes that trip a rollback. */
    maxProbeFailures: count(1000).default(5),
    /** Success criteria over the bake. */
    bakeMaxErrorRate: z.number().min(0).max(1).default(0.001),
    bakeMaxP95Ms: latency.default(200),
    /**
     * The false-rollback budget of one rollout: the chance that the guards comparing the treatment
     * with the baseline roll back a treatment no worse than it, over every check while it runs.
     */
    alpha: z.number().gt(0).max(MAX_ALPHA).default(0.01),
    /** When the baseline breaches a limit as well and the treatment is not significantly worse: hold (default) or roll back anyway. */
    onEnvironmentWide: z.enum(['hold', 'rollback']).default('hold'),
  });
}

/** A stage as a start request may give it: at most 90 days after the start. */
export const zStage = stageSchema(zDurationSeconds);
export type Stage = z.infer<typeof zStage>;

/** Health limits as a start request may give them (bounded). */
export const zHealthThresholds = thresholdsSchema(true);
export type HealthThresholds = z.infer<typeof zHealthThresholds>;

export const zStrategy = z.enum(['safe', 'fast', 'instant']);
export type Strategy = z.infer<typeof zStrategy>;

/** The body of "start a rollout". `stages` and `bakeSeconds` override the strategy's. */
export const zStartRollout = z.strictObject({
  flag: z.string().min(1).max(256),
  variant: z.string().min(1).max(256),
  baselineVariant: z.string().min(1).max(256).optional(),
  strategy: zStrategy,
  stages: z.array(zStage).min(1).max(MAX_STAGES).optional(),
  bakeSeconds: zDurationSeconds.optional(),
  health: zHealthThresholds.partial().optional(),
  reason: z.string().max(MAX_REASON_CHARS).optional(),
});
export type StartRollout = z.infer<typeof zStartRollout>;

/**
 * A resolved plan: the stages to walk, the bake, the health limits. Stored rows are read with the
 * checks every row ever written passed, not with today's input bounds: a rollout started before
 * the 90-day and 1-hour bounds keeps running (its flag must not fall back to the baseline because
 * of an upgrade); new plans come from zStartRollout and are bounded. A stored value whose date is
 * impossible makes that rollout's tick fail, which holds and reports it, alone.
 */
export const zRolloutPlan = z.object({
  strategy: zStrategy,
  stages: z.array(stageSchema(z.number().int().min(0))).min(1),
  bakeSeconds: z.number().int().min(0),
  health: thresholdsSchema(false),
});
export type RolloutPlan = z.infer<typeof zRolloutPlan>;

export const zRolloutStatus = z.enum(['running', 'paused', 'completed', 'rolled_back', 'aborted']);
export type RolloutStatus = z.infer<typeof zRolloutStatus>;

/** The numbers a health verdict is based on, recorded with every decision. */
export const zHealthNumbers = z.object({
  samples: z.number().optional(),
  errorRate: z.number().optional(),
  p95Ms: z.number().optional(),
  p99Ms: z.number().optional(),
  probeFailures: z.number().optional(),
  /** The baseline cohort's numbers beside the treatment's, for operators. */
  baseline: z
    .object({ samples: z.number().optional(), errorRate: z.number().optional(), p95Ms: z.number().optional(), p99Ms: z.number().optional() })
    .optional(),
  /** Each sequential guard's evidence: counts of both cohorts, evidence so far, evidence needed. */
  guards: z.array(zGuardEvidence).optional(),
});
export type HealthNumbers = z.infer<typeof zHealthNumbers>;

/**
 * What a verdict is about: an absolute limit (error_rate, p95, p99), the probes, or a comparison
 * with the baseline (errors, P95 or P99 significantly worse than the baseline's).
 */
export const zTrigger = z.enum(['error_rate', 'p95', 'p99', 'probes', 'errors_vs_baseline', 'p95_vs_baseline', 'p99_vs_baseline']);
export type Trigger = z.infer<typeof zTrigger>;

/** Why a rollout holds although nothing says its treatment is worse. */
export const zHoldCause = z.enum(['environment_wide', 'sample_ratio']);
export type HoldCause = z.infer<typeof zHoldCause>;

/**
 * A health verdict about the treatment cohort: pass (`healthy`), fail (`breached`: roll back), or
 * inconclusive (hold): `degraded` (a limit is exceeded but not yet for long enough),
 * `insufficient-data` (no data is never a pass), `held` (the baseline breaches as well, or the
 * reports' sample ratio is off the rollout's, so they cannot be judged).
 */
export const zVerdict = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('healthy'), numbers: zHealthNumbers }),
  z.object({ kind: z.literal('breached'), trigger: zTrigger, numbers: zHealthNumbers }),
  z.object({ kind: z.literal('degraded'), trigger: zTrigger, numbers: zHealthNumbers }),
  z.object({
    kind: z.literal('insufficient-data'),
    samples: z.number(),
    required: z.number(),
    /** Which cohort lacks samples; absent means the treatment. */
    cohort: z.enum(['treatment', 'baseline']).optional(),
    numbers: zHealthNumbers.optional(),
  }),
  z.object({ kind: z.literal('held'), cause: zHoldCause, trigger: zTrigger.optional(), numbers: zHealthNumbers }),
]);
export type Verdict = z.infer<typeof zVerdict>;

/** What a tick knows about a rollout's health: the last window, and the whole bake when baking. */
export const zHealthInput = z.object({ window: zVerdict, bake: zVerdict.optional() });
export type HealthInput = z.infer<typeof zHealthInput>;

/** A rollout as the coordinator stores it (one DO row, JSON columns parsed). */
export const zRollout = z.object({
  id: z.string(),
  flag: z.string(),
  variant: z.string(),
  baselineVariant: z.string().nullable(),
  plan: zRolloutPlan,
  status: zRolloutStatus,
  stageIndex: z.number().int().min(0),
  percent: z.number().min(0).max(100),
  startedAt: z.number(),
  /** Time spent paused so far; stage times shift by it. */
  pausedTotalMs: z.number().min(0),
  pausedAt: z.number().nullable(),
  bakeStartedAt: z.number().nullable(),
  endedAt: z.number().nullable(),
  lastVerdict: zVerdict.nullable(),
  /** The last decision in words, e.g. "waiting: insufficient data (12 of 100 samples)". */
  lastDecision: z.string().nullable(),
  lastTickAt: z.number().nullable(),
  /**
   * The sequential guards' evidence so far (absent on rows written before they existed: they start
   * from nothing). A stored state that does not parse starts again too, rather than breaking the row.
   */
  guards: zGuardState.optional().catch(undefined),
});
export type Rollout = z.infer<typeof zRollout>;

/** An operator action on a rollout. `fromStage` makes a repeated promote a no-op. */
export const zRolloutAction = z.strictObject({
  reason: z.string().min(1, 'a reason is required').max(MAX_REASON_CHARS),
  fromStage: z.number().int().min(0).max(MAX_STAGES).optional(),
});
export type RolloutAction = z.infer<typeof zRolloutAction>;
