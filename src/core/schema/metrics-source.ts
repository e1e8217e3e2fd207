import * as z from './zod';

/** Bounds of a metrics source's settings: a handful of headers, queries of a readable size. */
export const METRICS_SOURCE_BOUNDS = { urlChars: 2048, queryChars: 2000, headers: 10 } as const;

/** The placeholders a query template may use; `{{variant}}` and `{{window}}` are required. */
export const QUERY_PLACEHOLDERS = ['flag', 'variant', 'window'] as const;

const zQuery = z.string().check(z.minLength(1), z.maxLength(METRICS_SOURCE_BOUNDS.queryChars));

/**
 * Where an environment's verdicts read their numbers: `reports` (the default: what apps post to
 * /v1/metrics) or a Prometheus-compatible server queried with PromQL templates, as many
 * progressive-delivery tools do. Header values are never in the config: each names a key of the
 * Worker secret METRICS_SOURCE_SECRETS.
 */
export const zMetricsSource = z.discriminatedUnion('source', [
  z.strictObject({ source: z.literal('reports') }),
  z.strictObject({
    source: z.literal('prometheus'),
    /** Base URL of the server; queries go to `<url>/api/v1/query_range` and `/api/v1/query`. */
    url: z.string().check(z.minLength(1), z.maxLength(METRICS_SOURCE_BOUNDS.urlChars)),
    /** Request headers: header name → name of a secret in METRICS_SOURCE_SECRETS. */
    headers: z.optional(
      z.record(
        z.string().check(z.regex(/^[A-Za-z0-9-]{1,64}$/, 'header names are 1-64 letters, digits or -')),
        z.strictObject({ secret: z.string().check(z.minLength(1), z.maxLength(64)) }),
      ),
    ),
    queries: z.strictObject({
      /** Requests served with the variant over `{{window}}` (e.g. increase of a counter). */
      requests: zQuery,
      /** Requests that failed, over the same window. */
      errors: zQuery,
      /** Optional: a histogram's buckets over the window, one series per `le` label (cumulative, as Prometheus keeps them). */
      latencyBuckets: z.optional(zQuery),
    }),
    /** The unit of the histogram's `le` bounds; seconds when absent (Prometheus' convention). */
    latencyUnit: z.optional(z.enum(['seconds', 'milliseconds'])),
    /** Each query's time limit in ms (5,000 when absent); a query that takes longer gives no verdict (hold). */
    timeoutMs: z.optional(z.int().check(z.gte(100), z.lte(10_000))),
  }),
]);
export type MetricsSource = z.infer<typeof zMetricsSource>;
export type PrometheusSource = Extract<MetricsSource, { source: 'prometheus' }>;

/** A Prometheus HTTP API answer to a range or instant query, as far as the verdicts read it. */
export const zPromAnswer = z.object({
  status: z.literal('success'),
  data: z.object({
    resultType: z.enum(['matrix', 'vector']),
    result: z
      .array(
        z.object({
          metric: z.record(z.string(), z.string()),
          values: z.optional(z.array(z.tuple([z.number(), z.string()])).check(z.maxLength(10_000))),
          value: z.optional(z.tuple([z.number(), z.string()])),
        }),
      )
      .check(z.maxLength(1000)),
  }),
});
export type PromAnswer = z.infer<typeof zPromAnswer>;
