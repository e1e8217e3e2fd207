/**
 * A one-sided lower confidence bound on a minute's error rate, so that a minute counts as
 * breaching a limit only when the limit is exceeded with confidence, not when a noisy point
 * estimate crosses it: 3 errors in 100 requests is 3 %, but the rate may well be under 1 %.
 *
 * The Wilson score bound: the smallest p whose one-sided z-test does not reject the observed
 * proportion. It is close to exact (Clopper–Pearson) from a few events on, never below 0, and
 * needs no inverse beta function; with no requests it is 0 (no evidence of any rate).
 */

/**
 * The standard normal quantile Φ⁻¹(p) for p in (0, 1), by Acklam's rational approximation
 * (relative error < 1.2·10⁻⁹: far finer than any confidence level an operator sets).
 */
export function normalQuantile(p: number): number {
  if (!(p > 0 && p < 1)) throw new RangeError(`normalQuantile needs p in (0, 1), got ${p}`);
  const a = [-3.969683028665376e1, 2.209460984245205e2, -2.759285104469687e2, 1.38357751867269e2, -3.066479806614716e1, 2.506628277459239];
  const b = [-5.447609879822406e1, 1.615858368580409e2, -1.556989798598866e2, 6.680131188771972e1, -1.328068155288572e1];
  const c = [-7.784894002430293e-3, -3.223964580411365e-1, -2.400758277161838, -2.549732539343734, 4.374664141464968, 2.938163982698783];
  const d = [7.784695709041462e-3, 3.224671290700398e-1, 2.445134137142996, 3.754408661907416];
  const low = 0.02425;
  if (p < low) {
    const q = Math.sqrt(-2 * Math.log(p));
    return (((((c[0]! * q + c[1]!) * q + c[2]!) * q + c[3]!) * q + c[4]!) * q + c[5]!) / ((((d[0]! * q + d[1]!) * q + d[2]!) * q + d[3]!) * q + 1);
  }
  if (p > 1 - low) return -normalQuantile(1 - p);
  const q = p - 0.5;
  const r = q * q;
  return (
    ((((((a[0]! * r + a[1]!) * r + a[2]!) * r + a[3]!) * r + a[4]!) * r + a[5]!) * q) / (((((b[0]! * r + b[1]!) * r + b[2]!) * r + b[3]!) * r + b[4]!) * r + 1)
  );
}

/**
 * The Wilson lower bound at one-sided `confidence` (e.g. 0.95) on the rate behind `events` of
 * `trials`. Counts that are not finite non-negative numbers, or events above trials, give 0:
 * a bound that cannot be trusted must never make a minute breach.
 */
export function wilsonLowerBound(events: number, trials: number, confidence: number): number {
  // No events: exactly 0 (the formula gives it only up to rounding, e.g. 1e-19).
  if (!(trials > 0 && Number.isFinite(trials) && events > 0 && events <= trials)) return 0;
  const z = normalQuantile(confidence);
  const p = events / trials;
  const z2n = (z * z) / trials;
  const centre = p + z2n / 2;
  const spread = z * Math.sqrt((p * (1 - p)) / trials + z2n / (4 * trials));
  return Math.max(0, (centre - spread) / (1 + z2n));
}

/** The Wilson upper bound at one-sided `confidence`; 1 when nothing can be said. */
export function wilsonUpperBound(events: number, trials: number, confidence: number): number {
  if (!(trials > 0 && Number.isFinite(trials) && events >= 0 && events <= trials)) return 1;
  return 1 - wilsonLowerBound(trials - events, trials, confidence);
}

/** True when the rate behind `events` of `trials` is above `limit` with one-sided `confidence`. */
export function exceedsWithConfidence(events: number, trials: number, limit: number, confidence: number): boolean {
  return wilsonLowerBound(events, trials, confidence) > limit;
}
