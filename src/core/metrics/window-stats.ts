import { mergeInto, quantile } from './sketch';

/** One variant's numbers over some minutes. */
export interface WindowStats {
  /** Reports' `count` summed (evaluations or requests): the denominator of the error rate. */
  samples: number;
  errors: number;
  /** errors / samples; null without samples. */
  errorRate: number | null;
  /** From the merged latency sketch, which may hold fewer values than `samples` (apps may sample latency); null without latency data. */
  p95Ms: number | null;
  p99Ms: number | null;
}

/** What a metrics shard keeps per variant and minute. */
export interface MinuteBucket {
  /** Start of the minute, ms since the epoch. */
  minute: number;
  count: number;
  errors: number;
  /** Latency sketch bins (see sketch.ts). */
  bins: Record<string, number>;
}

/** One minute's numbers, stamped with the minute's start. */
export type MinuteStats = WindowStats & { minute: number };

/** The buckets aggregated exactly: counts add, sketches merge, quantiles come from the merged sketch. */
export function statsOf(buckets: readonly MinuteBucket[]): WindowStats {
  let samples = 0;
  let errors = 0;
  const bins: Record<string, number> = {};
  for (const b of buckets) {
    samples += countOf(b.count);
    errors += countOf(b.errors);
    mergeInto(bins, b.bins);
  }
  return {
    samples,
    errors,
    // Capped at 1: a stored bucket predating the errors ≤ count rule must not read as 300 % errors.
    errorRate: samples > 0 ? Math.min(1, errors / samples) : null,
    p95Ms: quantile({ bins }, 0.95),
    p99Ms: quantile({ bins }, 0.99),
  };
}

/**
 * A stored count as a number the stats can add: reports are bounded when they enter, but a row
 * that is not a finite non-negative number (written before the bounds, or damaged) counts as
 * nothing rather than turning every sum into NaN or Infinity.
 */
export function countOf(n: number): number {
  return n >= 0 && Number.isFinite(n) ? n : 0;
}

/** One bucket's numbers, for the per-minute "sustained" check. */
export function minuteStatsOf(bucket: MinuteBucket): MinuteStats {
  return { minute: bucket.minute, ...statsOf([bucket]) };
}
