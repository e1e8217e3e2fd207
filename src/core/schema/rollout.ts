import { zGuardEvidence, zGuardState } from './guards';
import * as z from './zod';

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

const zDurationSeconds = z.int().check(z.gte(0), z.lte(MAX_DURATION_SECONDS, `at most ${MAX_DURATION_SECONDS} seconds (90 days)`));
const zLatencyLimit = z.number().check(z.positive(), z.lte(MAX_LATENCY_LIMIT_MS, `at most ${MAX_LATENCY_LIMIT_MS} ms (1 hour)`));

const zFraction = () => z.number().check(z.gte(0), z.lte(1));
const zName = () => z.string().check(z.minLength(1), z.maxLength(256));
const zOptionalNumber = () => z.optional(z.number());

/** One stage of a rollout: the percentage of traffic, reached `afterSeconds` after the start. */
function stageSchema<D extends z.ZodMiniType<number>>(duration: D) {
  return z.object({ percent: z.number().check(z.gt(0), z.lte(100)), afterSeconds: duration });
}

/** Health limits of a rollout; the defaults are the runbook's limits. `bounded` adds the limits of what may enter. */
function thresholdsSchema(bounded: boolean) {
  const latency = bounded ? zLatencyLimit : z.number().check(z.positive());
  const count = (max: number) => (bounded ? z.int().check(z.gte(1), z.lte(max)) : z.int().check(z.gte(1)));
  return z.object({
    /** Roll back when the error rate is above this (fraction, 0.01 = 1 %) … */
    maxErrorRate: z._default(zFraction(), 0.01),
    maxP95Ms: z._default(latency, 500),
    maxP99Ms: z._default(latency, 1000),
    /** … in each of this many consecutive 1-minute buckets. */
    sustainedMinutes: z._default(z.int().check(z.gte(1), z.lte(60)), 5),
    /** Reports a bucket (or the last window) needs before it counts. */
    minSamples: z._default(count(MAX_MIN_SAMPLES), 100),
    /** Consecutive failed health-check probes that trip a rollback. */
    maxProbeFailures: z._default(count(1000), 5),
    /** Success criteria over the bake. */
    bakeMaxErrorRate: z._default(zFraction(), 0.001),
    bakeMaxP95Ms: z._default(latency, 200),
    /**
     * The false-rollback budget of one rollout: the chance that the guards comparing the treatment
     * with the baseline roll back a treatment no worse than it, over every check while it runs.
     */
    alpha: z._default(z.number().check(z.gt(0), z.lte(MAX_ALPHA)), 0.01),
    /** When the baseline breaches a limit as well and the treatment is not significantly worse: hold (default) or roll back anyway. */
    onEnvironmentWide: z._default(z.enum(['hold', 'rollback']), 'hold'),
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
  flag: zName(),
  variant: zName(),
  baselineVariant: z.optional(zName()),
  strategy: zStrategy,
  stages: z.optional(z.array(zStage).check(z.minLength(1), z.maxLength(MAX_STAGES))),
  bakeSeconds: z.optional(zDurationSeconds),
  health: z.optional(z.partial(zHealthThresholds)),
  reason: z.optional(z.string().check(z.maxLength(MAX_REASON_CHARS))),
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
  stages: z.array(stageSchema(z.int().check(z.gte(0)))).check(z.minLength(1)),
  bakeSeconds: z.int().check(z.gte(0)),
  health: thresholdsSchema(false),
});
export type RolloutPlan = z.infer<typeof zRolloutPlan>;

export const zRolloutStatus = z.enum(['running', 'paused', 'completed', 'rolled_back', 'aborted']);
export type RolloutStatus = z.infer<typeof zRolloutStatus>;

/** The numbers a health verdict is based on, recorded with every decision. */
export const zHealthNumbers = z.object({
  samples: zOptionalNumber(),
  errorRate: zOptionalNumber(),
  p95Ms: zOptionalNumber(),
  p99Ms: zOptionalNumber(),
  probeFailures: zOptionalNumber(),
  /** The baseline cohort's numbers beside the treatment's, for operators. */
  baseline: z.optional(z.object({ samples: zOptionalNumber(), errorRate: zOptionalNumber(), p95Ms: zOptionalNumber(), p99Ms: zOptionalNumber() })),
  /** Each sequential guard's evidence: counts of both cohorts, evidence so far, evidence needed. */
  guards: z.optional(z.array(zGuardEvidence)),
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
    cohort: z.optional(z.enum(['treatment', 'baseline'])),
    numbers: z.optional(zHealthNumbers),
  }),
  z.object({ kind: z.literal('held'), cause: zHoldCause, trigger: z.optional(zTrigger), numbers: zHealthNumbers }),
]);
export type Verdict = z.infer<typeof zVerdict>;

/** What a tick knows about a rollout's health: the last window, and the whole bake when baking. */
export const zHealthInput = z.object({ window: zVerdict, bake: z.optional(zVerdict) });
export type HealthInput = z.infer<typeof zHealthInput>;

/** A rollout as the coordinator stores it (one DO row, JSON columns parsed). */
export const zRollout = z.object({
  id: z.string(),
  flag: z.string(),
  variant: z.string(),
  baselineVariant: z.nullable(z.string()),
  plan: zRolloutPlan,
  status: zRolloutStatus,
  stageIndex: z.int().check(z.gte(0)),
  percent: z.number().check(z.gte(0), z.lte(100)),
  startedAt: z.number(),
  /** Time spent paused so far; stage times shift by it. */
  pausedTotalMs: z.number().check(z.gte(0)),
  pausedAt: z.nullable(z.number()),
  bakeStartedAt: z.nullable(z.number()),
  endedAt: z.nullable(z.number()),
  lastVerdict: z.nullable(zVerdict),
  /** The last decision in words, e.g. "waiting: insufficient data (12 of 100 samples)". */
  lastDecision: z.nullable(z.string()),
  lastTickAt: z.nullable(z.number()),
  /**
   * The sequential guards' evidence so far (absent on rows written before they existed: they start
   * from nothing). A stored state that does not parse starts again too, rather than breaking the row.
   */
  guards: z.catch(z.optional(zGuardState), undefined),
});
export type Rollout = z.infer<typeof zRollout>;

/** An operator action on a rollout. `fromStage` makes a repeated promote a no-op. */
export const zRolloutAction = z.strictObject({
  reason: z.string().check(z.minLength(1, 'a reason is required'), z.maxLength(MAX_REASON_CHARS)),
  fromStage: z.optional(z.int().check(z.gte(0), z.lte(MAX_STAGES))),
});
export type RolloutAction = z.infer<typeof zRolloutAction>;
