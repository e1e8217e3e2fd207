import { fromZod } from '../../core/config/issues';
import { firstProtoKey, firstTooDeep } from '../../core/json-depth';
import { toSketch } from '../../core/metrics/sketch';
import { MAX_RAW_SAMPLES, MAX_REPORTS_PER_BATCH, zMetricReport, zMetricsBatch } from '../../core/schema/metrics';
import type { BucketDelta } from '../../metrics/bucket-table';
import { RollgateError } from '../errors';
import { MAX_AGE_MS, MAX_SKEW_AHEAD_MS } from '../../core/metrics/report-bounds';

export { MAX_AGE_MS, MAX_SKEW_AHEAD_MS } from '../../core/metrics/report-bounds';

/** One refused report. */
export interface ReportProblem {
  index: number;
  path: string;
  message: string;
}

/** How deep a metrics body may nest: a report's deepest value, a sketch bin, is at depth 5. */
const MAX_BATCH_DEPTH = 8;

/**
 * Validates a whole batch before anything is stored: 413 past the limits, 422 listing every bad
 * report (schema, bins outside 1 hour, counts over the bound, errors > count, unknown flag or
 * variant, timestamp outside the window). `variantsOf` gives the variants a flag has in this
 * environment (undefined: no such flag). Returns the reports as bucket deltas grouped by flag.
 */
export function checkBatch(body: unknown, variantsOf: (flag: string) => ReadonlySet<string> | undefined, now: number): Map<string, BucketDelta[]> {
  // A report is 5 levels deep (/reports/i/latencyMs/bins/k): anything deeper is refused before
  // any other walk or zod's recursive parse sees it.
  const deep = firstTooDeep(body, MAX_BATCH_DEPTH);
  if (deep !== null)
    throw new BatchRejected([{ index: Number(deep.split('/')[2] ?? -1), path: deep, message: `nested deeper than ${MAX_BATCH_DEPTH} levels` }]);
  const proto = firstProtoKey(body);
  if (proto !== null) throw new BatchRejected([{ index: Number(proto.split('/')[2] ?? -1), path: proto, message: '"__proto__" is not a valid key' }]);
  const batch = zMetricsBatch.safeParse(body);
  if (!batch.success)
    throw new RollgateError(
      422,
      'validation_failed',
      `expected {"reports": [...]}: ${fromZod(batch.error)
        .map((i) => `${i.path} ${i.message}`)
        .join('; ')}`,
    );
  const reports = batch.data.reports;
  if (reports.length > MAX_REPORTS_PER_BATCH)
    throw new RollgateError(413, 'body_too_large', `a batch holds at most ${MAX_REPORTS_PER_BATCH} reports; this one has ${reports.length}`);
  reports.forEach((r, index) => {
    const samples = (r as { latencyMs?: unknown } | null)?.latencyMs;
    if (Array.isArray(samples) && samples.length > MAX_RAW_SAMPLES) {
      throw new RollgateError(
        413,
        'body_too_large',
        `report ${index} has ${samples.length} raw latency samples; at most ${MAX_RAW_SAMPLES} (send a sketch instead)`,
      );
    }
  });
  const problems: ReportProblem[] = [];
  const byFlag = new Map<string, BucketDelta[]>();
  reports.forEach((raw, index) => {
    const parsed = zMetricReport.safeParse(raw);
    if (!parsed.success) {
      for (const i of fromZod(parsed.error)) problems.push({ index, path: `/reports/${index}${i.path === '/' ? '' : i.path}`, message: i.message });
      return;
    }
    const r = parsed.data;
    const variants = variantsOf(r.flag);
    if (!variants) problems.push({ index, path: `/reports/${index}/flag`, message: `unknown flag "${r.flag}"` });
    else if (!variants.has(r.variant))
      problems.push({ index, path: `/reports/${index}/variant`, message: `flag "${r.flag}" has no variant "${r.variant}" here` });
    const at = r.timestamp === undefined ? now : typeof r.timestamp === 'number' ? r.timestamp : Date.parse(r.timestamp);
    if (at < now - MAX_AGE_MS) problems.push({ index, path: `/reports/${index}/timestamp`, message: 'older than 15 minutes' });
    if (at > now + MAX_SKEW_AHEAD_MS) problems.push({ index, path: `/reports/${index}/timestamp`, message: 'more than 2 minutes ahead of the server clock' });
    const list = byFlag.get(r.flag) ?? [];
    list.push({ variant: r.variant, at, count: r.count, errors: r.errors, bins: toSketch(r.latencyMs).bins });
    byFlag.set(r.flag, list);
  });
  if (problems.length > 0) throw new BatchRejected(problems);
  return byFlag;
}

/** A batch with bad reports: nothing from it is stored. */
export class BatchRejected extends Error {
  constructor(readonly problems: ReportProblem[]) {
    super(`${problems.length} bad reports`);
    this.name = 'BatchRejected';
  }
}
