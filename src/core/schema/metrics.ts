import * as z from 'zod';

/** Raw latency samples a report may carry at most. */
export const MAX_RAW_SAMPLES = 10_000;
/** Reports a batch may carry at most. */
export const MAX_REPORTS_PER_BATCH = 1000;

/**
 * A log-spaced latency sketch: bin `i` counts values in (γ^(i−1), γ^i] ms with γ = 1.02/0.98;
 * bin 0 holds values ≤ 1 ms. Keys are bin indexes as decimal strings.
 */
export const zLatencySketch = z.strictObject({
  bins: z.record(z.string().regex(/^(0|[1-9]\d{0,4})$/, 'bin indexes are integers from 0 to 99999'), z.number().int().min(0)),
});
export type LatencySketch = z.infer<typeof zLatencySketch>;

/** Latency of a report: raw samples in ms, or a sketch. */
export const zLatency = z.union([z.array(z.number().min(0).max(3_600_000)), zLatencySketch]);
export type Latency = z.infer<typeof zLatency>;

/** One metric report: what one variant of one flag did over an interval, aggregated by the app. */
export const zMetricReport = z
  .strictObject({
    flag: z.string().min(1).max(256),
    variant: z.string().min(1).max(256),
    /** When the interval ended: ms since the epoch or an ISO date-time; the server's clock when absent. */
    timestamp: z.union([z.number().int().nonnegative(), z.iso.datetime()]).optional(),
    count: z.number().int().min(0),
    errors: z.number().int().min(0),
    latencyMs: zLatency,
  })
  .refine((r) => r.errors <= r.count, { message: 'errors cannot exceed count', path: ['errors'] });
export type MetricReport = z.infer<typeof zMetricReport>;

/** The body of POST /v1/metrics. */
export const zMetricsBatch = z.strictObject({ reports: z.array(z.unknown()) });
