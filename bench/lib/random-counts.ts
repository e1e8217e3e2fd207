/**
 * Poisson and binomial counts drawn from a seeded uniform generator (mulberry32), for the
 * simulations: exact for small means (inversion, and geometric waiting times for rare events in
 * many trials), a normal approximation with continuity correction from a mean of NORMAL_FROM on,
 * where its error in any tail the simulations read is far below their sampling noise.
 */
export type Uniform = () => number;

/** From this mean (and variance, for the binomial) on, counts are drawn from the normal approximation. */
export const NORMAL_FROM = 50;

/** A standard normal variate by Box–Muller (one of the pair is discarded: simpler, and speed is not the limit here). */
export function standardNormal(u: Uniform): number {
  const u1 = 1 - u(); // (0, 1]: log stays finite
  return Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * u());
}

/** Poisson(mean): inversion by sequential search below NORMAL_FROM, rounded normal above. */
export function poisson(u: Uniform, mean: number): number {
  if (!(mean > 0)) return 0;
  if (mean >= NORMAL_FROM) return Math.max(0, Math.round(mean + Math.sqrt(mean) * standardNormal(u)));
  let k = 0;
  let p = Math.exp(-mean);
  let cdf = p;
  const target = u();
  while (target > cdf && k < 10 * NORMAL_FROM) {
    k++;
    p *= mean / k;
    cdf += p;
  }
  return k;
}

/** Binomial(n, p) for an integer n ≥ 0. */
export function binomial(u: Uniform, n: number, p: number): number {
  if (!(n > 0) || !(p > 0)) return 0;
  if (p >= 1) return n;
  if (p > 0.5) return n - binomial(u, n, 1 - p);
  const mean = n * p;
  const variance = mean * (1 - p);
  if (variance >= NORMAL_FROM) return Math.min(n, Math.max(0, Math.round(mean + Math.sqrt(variance) * standardNormal(u))));
  if (n <= 64) {
    let k = 0;
    for (let i = 0; i < n; i++) if (u() < p) k++;
    return k;
  }
  // Geometric gaps between successes: expected work n·p + 1, exact.
  const logQ = Math.log1p(-p);
  let k = 0;
  let at = 0;
  for (;;) {
    at += Math.floor(Math.log(1 - u()) / logQ) + 1;
    if (at > n) return k;
    k++;
  }
}

/** Φ(x), the standard normal CDF, by the complementary error function (Numerical Recipes' erfc, |error| < 1.2·10⁻⁷). */
export function standardNormalCdf(x: number): number {
  const z = Math.abs(x) / Math.SQRT2;
  const t = 1 / (1 + 0.5 * z);
  const erfc =
    t *
    Math.exp(
      -z * z -
        1.26551223 +
        t *
          (1.00002368 +
            t *
              (0.37409196 +
                t * (0.09678418 + t * (-0.18628806 + t * (0.27886807 + t * (-1.13520398 + t * (1.48851413 + t * (-0.82215223 + t * 0.17087277)))))))),
    );
  return x >= 0 ? 1 - erfc / 2 : erfc / 2;
}
