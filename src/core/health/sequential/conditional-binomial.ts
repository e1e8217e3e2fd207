/**
 * The one piece of arithmetic both sequential tests share: the log likelihood ratio of `hits`
 * among `total` trials when the chance of a hit is `share` (null) against the same chance with
 * its odds multiplied by `ratio` (alternative), and the equal-weight mixture over a grid of ratios.
 *
 * With θ0 = share and θ(r) = r·θ0 / (r·θ0 + 1 − θ0) (the odds of θ0 times r),
 *   log LR(r) = hits·log θ(r)/θ0 + (total − hits)·log (1 − θ(r))/(1 − θ0)
 *             = hits·log r − total·log(1 + (r − 1)·θ0),
 * the second form computed with log1p so that it stays exact when θ0 is near 0 or 1.
 */

/** Counts a period may carry: 2^40 ≈ 1.1·10^12, far above any minute's traffic, far below 2^53. */
export const MAX_PERIOD_COUNT = 2 ** 40;

/** True for a finite integer in [0, MAX_PERIOD_COUNT]: the only counts the tests accept. */
export function isCount(n: unknown): n is number {
  return typeof n === 'number' && Number.isInteger(n) && n >= 0 && n <= MAX_PERIOD_COUNT;
}

/**
 * log LR(ratio) of one period. A share of 0 or 1 carries no information (θ(r) = θ0 for every r),
 * and neither do zero trials: both give 0 (LR = 1). Callers pass checked counts with hits ≤ total.
 */
export function periodLogLR(ratio: number, hits: number, total: number, share: number): number {
  if (total === 0 || !(share > 0 && share < 1)) return 0;
  return hits * Math.log(ratio) - total * Math.log1p((ratio - 1) * share);
}

/** log of the equal-weight mean of exp(values): log-sum-exp minus log K, finite for finite input. */
export function logMeanExp(values: readonly number[]): number {
  if (values.length === 0) return 0;
  let max = -Infinity;
  for (const v of values) if (v > max) max = v;
  let sum = 0;
  for (const v of values) sum += Math.exp(v - max);
  return max + Math.log(sum) - Math.log(values.length);
}

/**
 * Evidence as a plain number for people: exp(logEvidence), capped so that it is never Infinity
 * (e^700 ≈ 10^304; any threshold an operator can set is crossed long before).
 */
export const LOG_EVIDENCE_CAP = 700;
export function evidenceOf(logEvidence: number): number {
  return Math.exp(Math.min(logEvidence, LOG_EVIDENCE_CAP));
}

/** log(1/α) for α in (0, 1): the level the log-evidence must reach. Throws on any other α (a programming error: α is validated where it enters). */
export function logThreshold(alpha: number): number {
  if (!(alpha > 0 && alpha < 1)) throw new RangeError(`alpha must be in (0, 1), got ${alpha}`);
  return -Math.log(alpha);
}
