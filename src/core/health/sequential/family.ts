/**
 * One rollout's guards as a family: the chance that any of them rolls back a treatment that is no
 * worse than its baseline, at any look, must be ≤ α (the rollout's false-rollback budget).
 *
 * Bonferroni: each guard g that can roll back runs at w_g·α with Σ w_g ≤ 1 (equal shares: α/G).
 * By the union bound, P(any guard crosses) ≤ Σ P(guard g crosses) ≤ Σ w_g·α ≤ α, whatever the dependence between the
 * guards (errors and latency of the same requests are far from independent, so nothing sharper
 * is claimed). The price is log G nats more evidence per guard (log 3 ≈ 1.1 for errors, P95, P99).
 * Checks that only hold (sample-ratio mismatch) cannot roll back and are not part of the family.
 */

/** The level one guard runs at when it takes `share` (0 < share ≤ 1) of the family's `alpha`. */
export function guardAlpha(alpha: number, share: number): number {
  if (!(alpha > 0 && alpha < 1)) throw new RangeError(`alpha must be in (0, 1), got ${alpha}`);
  if (!(share > 0 && share <= 1)) throw new RangeError(`a guard's share of alpha must be in (0, 1], got ${share}`);
  return alpha * share;
}

/** The level each of `guards` rolling-back guards runs at when they share `alpha` equally. */
export function perGuardAlpha(alpha: number, guards: number): number {
  if (!(Number.isInteger(guards) && guards >= 1)) throw new RangeError(`guards must be a positive integer, got ${guards}`);
  return guardAlpha(alpha, 1 / guards);
}

/**
 * The first guard, in the given order, whose log-evidence reaches log(1/(share·α)), or null: the
 * family's decision. Shares default to equal; they must add up to at most 1 for the family's bound.
 */
export function firstFailingGuard<Name extends string>(guards: ReadonlyArray<{ name: Name; logEvidence: number; share?: number }>, alpha: number): Name | null {
  if (guards.length === 0) return null;
  const total = guards.reduce((n, g) => n + (g.share ?? 1 / guards.length), 0);
  if (total > 1 + 1e-9) throw new RangeError(`the guards' shares of alpha add up to ${total}, more than 1`);
  return guards.find((g) => g.logEvidence >= -Math.log(guardAlpha(alpha, g.share ?? 1 / guards.length)))?.name ?? null;
}
