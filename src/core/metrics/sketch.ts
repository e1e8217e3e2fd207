import type { Latency, LatencySketch } from '../schema/metrics';
import { MAX_BIN } from './report-bounds';

/**
 * Ratio between consecutive bin edges: bin i counts values in (γ^(i−1), γ^i] ms and
 * bin 0 holds values ≤ 1 ms. DDSketch's mapping for relative accuracy α is γ = (1+α)/(1−α).
 */
export const GAMMA = 1.02 / 0.98;

/**
 * Relative accuracy α = (γ−1)/(γ+1) = 0.02 (1 % would need γ = 1.01/0.99); the wire format
 * fixes γ, so 2 % is the bound.
 *
 * The bound, for P95, P99 and any other quantile: when the true sample quantile v (the
 * ⌈q·n⌉-th smallest value, see `quantileRank`) is > 1 ms, |quantile(sketch, q) − v| ≤ α·v, up to
 * floating-point rounding (~1e-15 relative). Merging is exact, so it holds for merged sketches
 * whatever the number of shards or minutes. Values ≤ 1 ms share bin 0 and read as 1 ms, an
 * absolute error below 1 ms.
 */
export const RELATIVE_ACCURACY = (GAMMA - 1) / (GAMMA + 1);

const LN_GAMMA = Math.log(GAMMA);

/** A bin key as reports write it: a decimal integer without leading zeros. */
const BIN_KEY = /^(0|[1-9]\d{0,8})$/;

/** The upper edge γ^i of bin i: the one floating-point value every edge comparison uses. */
export function binUpperEdge(i: number): number {
  return GAMMA ** i;
}

/** The bin index of a latency in ms. Throws on a negative or non-finite value. */
export function binOf(valueMs: number): number {
  if (!Number.isFinite(valueMs) || valueMs < 0) throw new RangeError(`a latency must be a finite, non-negative number of ms, got ${valueMs}`);
  if (valueMs <= 1) return 0;
  // log(v)/log(γ) lands a hair off the integer at some exact edges γ^k (15 of the first 600), so it
  // is only a first guess; comparisons against binUpperEdge decide, so binOf(binUpperEdge(k)) === k.
  let i = Math.max(1, Math.ceil(Math.log(valueMs) / LN_GAMMA));
  while (i > 1 && valueMs <= binUpperEdge(i - 1)) i--;
  while (valueMs > binUpperEdge(i)) i++;
  return i;
}

/**
 * The value bin i reads as: DDSketch's 2γ^i/(γ+1), which is within α of every value in (γ^(i−1), γ^i].
 * Bin 0 reads as 1 ms, its upper edge: it cannot tell 0.1 ms from 0.9 ms, and reading high errs on the side of caution.
 */
export function binValue(i: number): number {
  return i === 0 ? 1 : (2 * binUpperEdge(i)) / (GAMMA + 1);
}

/** A sketch of raw latency samples in ms; exported for SDK hooks that report sketches. */
export function sketchFromSamples(samples: readonly number[]): LatencySketch {
  const bins: Record<string, number> = {};
  for (const v of samples) {
    const key = String(binOf(v));
    bins[key] = (bins[key] ?? 0) + 1;
  }
  return { bins };
}

/** Adds `source` bin counts into `target` (mutating and returning it); exact, since counts are integers. */
export function mergeInto(target: Record<string, number>, source: Readonly<Record<string, number>>): Record<string, number> {
  for (const [key, count] of Object.entries(source)) {
    // Zero counts are skipped so merged sketches stay sparse and compare equal however they were
    // built; a count that is not a finite positive number (never accepted, but rows outlive
    // schemas) is skipped too, so no sum becomes NaN or Infinity.
    if (!(count > 0 && Number.isFinite(count)) || !BIN_KEY.test(key)) continue;
    target[key] = (Object.hasOwn(target, key) ? target[key]! : 0) + count;
  }
  return target;
}

/** A new sketch with the bin counts of `a` and `b` added; neither input changes. */
export function mergeSketches(a: LatencySketch, b: LatencySketch): LatencySketch {
  return { bins: mergeInto(mergeInto({}, a.bins), b.bins) };
}

/** How many values the sketch holds (bins that are not finite positive counts hold none). */
export function sketchCount(sketch: LatencySketch): number {
  let n = 0;
  for (const [key, count] of Object.entries(sketch.bins)) if (count > 0 && Number.isFinite(count) && BIN_KEY.test(key)) n += count;
  return n;
}

/**
 * How many values lie in bins above `bin`: the values certainly greater than every value of that
 * bin, so above any latency the bin stands for. Bins that are not finite positive counts hold none.
 */
export function countAbove(bins: Readonly<Record<string, number>>, bin: number): number {
  let n = 0;
  for (const [key, count] of Object.entries(bins)) if (count > 0 && Number.isFinite(count) && BIN_KEY.test(key) && Number(key) > bin) n += count;
  return n;
}

/** The bin of the q-quantile (0 ≤ q ≤ 1) of the bins' values, or null when empty: a threshold that counts can be compared with exactly. */
export function quantileBin(bins: Readonly<Record<string, number>>, q: number): number | null {
  if (!(q >= 0 && q <= 1)) throw new RangeError(`a quantile must be within [0, 1], got ${q}`);
  const sorted = sortedBins(bins);
  let n = 0;
  for (const [, count] of sorted) n += count;
  if (n === 0) return null;
  const rank = quantileRank(q, n);
  let seen = 0;
  for (const [i, count] of sorted) {
    seen += count;
    if (seen >= rank) return i;
  }
  return null; // unreachable: rank ≤ n
}

/**
 * The rank (1-based) of the q-quantile among n values: nearest rank, ⌈q·n⌉, at least 1.
 * So P95 of 100 values is the 95th smallest, and P95 of 10 values the 10th (the largest).
 */
export function quantileRank(q: number, n: number): number {
  const x = q * n;
  // q·n can come out a hair above an integer in binary (0.07 × 100 = 7.000000000000001); without
  // the slack ⌈⌉ would skip a rank. (0.5, 0.9, 0.95, 0.99 happen to be clean for n ≤ 100,000.)
  return Math.min(n, Math.max(1, Math.ceil(x - x * 1e-12)));
}

/** The q-quantile (0 ≤ q ≤ 1) in ms, within RELATIVE_ACCURACY of the exact sample quantile; null when empty. */
export function quantile(sketch: LatencySketch, q: number): number | null {
  const bin = quantileBin(sketch.bins, q);
  return bin === null ? null : binValue(bin);
}

/** A report's latency as a sketch: raw samples are binned, a sketch is copied without empty bins. */
export function toSketch(latency: Latency): LatencySketch {
  if (Array.isArray(latency)) return sketchFromSamples(latency);
  return { bins: mergeInto({}, latency.bins) };
}

/**
 * Non-empty bins as [index, count], lowest index first. Keys are parsed as numbers, not compared
 * as strings ("10" < "9"). Reports never carry bins above MAX_BIN (1 hour), but a stored bucket
 * might predate that rule: such a bin reads as MAX_BIN, so every quantile is finite (γ^20000 is
 * Infinity) and a huge latency still reads as the worst one. Keys that are not bin indexes and
 * counts that are not finite and positive are skipped, never summed.
 */
function sortedBins(source: Readonly<Record<string, number>>): Array<[number, number]> {
  const bins: Array<[number, number]> = [];
  for (const [key, count] of Object.entries(source)) {
    if (!BIN_KEY.test(key) || !(count > 0 && Number.isFinite(count))) continue;
    bins.push([Math.min(Number(key), MAX_BIN), count]);
  }
  return bins.sort((x, y) => x[0] - y[0]);
}
