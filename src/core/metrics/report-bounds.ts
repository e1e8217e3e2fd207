/**
 * The bounds a health report must respect: plain numbers with no imports, so the server's schema
 * (core/schema/metrics.ts, check-batch.ts) and the application reporter (sdk/openfeature, which
 * compiles this file and sketch.ts into its own build) read one definition.
 */

/** Raw latency samples a report may carry at most. */
export const MAX_RAW_SAMPLES = 10_000;
/** Reports a batch may carry at most. */
export const MAX_REPORTS_PER_BATCH = 1000;

/** The largest latency a report may carry: one hour, in ms. */
export const MAX_LATENCY_MS = 3_600_000;
/**
 * The largest bin index: binOf(MAX_LATENCY_MS) (see sketch.ts, γ = 1.02/0.98). A constant here, so
 * the schema needs no math; sketch.test.ts checks that the two agree.
 */
export const MAX_BIN = 378;
/** The largest `count`, `errors` or bin count of one report: far above any real minute of one app instance, far below 2^53. */
export const MAX_REPORT_COUNT = 1_000_000_000;

/** Reports older than this, or further ahead than the skew allowance, are refused. */
export const MAX_AGE_MS = 15 * 60_000;
export const MAX_SKEW_AHEAD_MS = 2 * 60_000;
