import { MAX_BIN, MAX_LATENCY_MS, MAX_REPORT_COUNT } from '../metrics/report-bounds';
import * as z from './zod';

export { MAX_BIN, MAX_LATENCY_MS, MAX_RAW_SAMPLES, MAX_REPORT_COUNT, MAX_REPORTS_PER_BATCH } from '../metrics/report-bounds';

const zCount = z.int().check(z.gte(0), z.lte(MAX_REPORT_COUNT));

/**
 * A log-spaced latency sketch: bin `i` counts values in (γ^(i−1), γ^i] ms with γ = 1.02/0.98;
 * bin 0 holds values ≤ 1 ms. Keys are bin indexes as decimal strings, 0 to MAX_BIN.
 */
export const zLatencySketch = z.strictObject({
  bins: z.record(z.string().check(z.regex(/^(0|[1-9]\d{0,8})$/, `bin indexes are integers from 0 to ${MAX_BIN}`)), zCount).check(
    z.superRefine((bins, ctx) => {
      for (const key of Object.keys(bins)) {
        if (Number(key) > MAX_BIN)
          ctx.addIssue({ code: 'custom', path: [key], message: `bin ${key} is above ${MAX_BIN}, the bin of 1 hour (${MAX_LATENCY_MS} ms)` });
      }
    }),
  ),
});
export type LatencySketch = z.infer<typeof zLatencySketch>;

/** Latency of a report: raw samples in ms, or a sketch. */
export const zLatency = z.union([z.array(z.number().check(z.gte(0), z.lte(MAX_LATENCY_MS))), zLatencySketch]);
export type Latency = z.infer<typeof zLatency>;

/** One metric report: what one variant of one flag did over an interval, aggregated by the app. */
export const zMetricReport = z
  .strictObject({
    flag: z.string().check(z.minLength(1), z.maxLength(256)),
    variant: z.string().check(z.minLength(1), z.maxLength(256)),
    /** When the interval ended: ms since the epoch or an ISO date-time; the server's clock when absent. */
    timestamp: z.optional(z.union([z.int().check(z.nonnegative()), z.iso.datetime()])),
    count: zCount,
    errors: zCount,
    latencyMs: zLatency,
  })
  .check(z.refine((r) => r.errors <= r.count, { message: 'errors cannot exceed count', path: ['errors'] }));
export type MetricReport = z.infer<typeof zMetricReport>;

/** The body of POST /v1/metrics. */
export const zMetricsBatch = z.strictObject({ reports: z.array(z.unknown()) });
