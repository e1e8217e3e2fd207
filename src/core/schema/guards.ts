import { RELATIVE_RATIOS } from '../health/sequential/relative-guard';
import { SRM_RATIOS } from '../health/sequential/sample-ratio';
import * as z from './zod';

/**
 * The sequential guards' state, stored in the rollout row and advanced once per complete minute
 * in the tick's transaction (see core/health/guard-state.ts). Every number is finite: a stored
 * state that does not parse (damaged, or from a grid of ratios that changed) is dropped and the
 * evidence starts again from nothing, which can delay a rollback but never fakes one.
 */
const zFinite = z.number();
const zCount = z.int().check(z.gte(0));
const zMinute = z.int().check(z.gte(0));

const zRelativeGuardState = z.object({
  logLR: z.array(zFinite).check(z.length(RELATIVE_RATIOS.length)),
  periods: zCount,
  rejected: zCount,
  totals: z.object({ treatmentRequests: zCount, treatmentEvents: zCount, baselineRequests: zCount, baselineEvents: zCount }),
});

const zSampleRatioState = z.object({
  logLR: z.array(zFinite).check(z.length(SRM_RATIOS.length)),
  periods: zCount,
  rejected: zCount,
  treatmentRequests: zCount,
  baselineRequests: zCount,
  expectedTreatment: z.number().check(z.gte(0)),
});

/** What one cohort's reports of one minute count, against the thresholds of that minute. */
export const zCohortCounts = z.object({
  requests: zCount,
  errors: zCount,
  /** Latency values reported (apps may sample latency, so this can be below `requests`). */
  timed: zCount,
  /** Latency values above the baseline's reference P95 and P99 of the minute (0 without a reference). */
  overP95: zCount,
  overP99: zCount,
});
export type CohortCounts = z.infer<typeof zCohortCounts>;

/** The sketch bins that stand for the baseline's P95 and P99: a value above the bin is "slow". */
export const zLatencyReference = z.object({ p95Bin: z.nullable(z.int().check(z.gte(0))), p99Bin: z.nullable(z.int().check(z.gte(0))) });
export type LatencyReference = z.infer<typeof zLatencyReference>;

/** A minute already fed, kept for a short while so that reports arriving late are fed as well. */
export const zConsumedMinute = z.object({
  minute: zMinute,
  reference: zLatencyReference,
  /** Whether the sample-ratio test may read this minute (not right after a change of percent). */
  srm: z.boolean(),
  expectedShare: z.number().check(z.gte(0), z.lte(1)),
  treatment: zCohortCounts,
  baseline: zCohortCounts,
});
export type ConsumedMinute = z.infer<typeof zConsumedMinute>;

export const zGuardState = z.object({
  /** Start of the newest minute fed; null before the first. */
  through: z.nullable(zMinute),
  errors: zRelativeGuardState,
  p95: zRelativeGuardState,
  p99: zRelativeGuardState,
  sampleRatio: zSampleRatioState,
  /** The thresholds the next minute is judged against: fixed before its data is seen. */
  reference: zLatencyReference,
  /** The last minutes fed, newest last, for late reports. */
  recent: z.array(zConsumedMinute).check(z.maxLength(10)),
  /** The percent served and since when: the sample-ratio test skips the minutes right after a change. */
  share: z.object({ percent: z.number().check(z.gte(0), z.lte(100)), since: zMinute }),
});
export type GuardState = z.infer<typeof zGuardState>;

/** The guards that can roll back, in the order a decision names them. */
export const zRelativeGuardName = z.enum(['errors', 'p95', 'p99']);
export type RelativeGuardName = z.infer<typeof zRelativeGuardName>;

/** One guard's evidence for people: counts of both cohorts, the evidence so far and what is needed. */
export const zGuardEvidence = z.object({
  guard: z.enum(['errors', 'p95', 'p99', 'sample_ratio']),
  /** The likelihood ratio against "no worse than the baseline" (or "the share is right"), capped. */
  evidence: z.number(),
  /** The evidence at which the guard fires: 1/α, split over the guards that roll back. */
  needed: z.number(),
  treatment: z.object({ requests: z.number(), events: z.number() }),
  baseline: z.object({ requests: z.number(), events: z.number() }),
  /** For latency guards: the baseline's reference latency in ms a value must exceed to count. */
  thresholdMs: z.optional(z.number()),
  /** For the sample ratio: the treatment's expected share of reported requests. */
  expectedShare: z.optional(z.number()),
});
export type GuardEvidence = z.infer<typeof zGuardEvidence>;
