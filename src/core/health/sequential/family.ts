/**
 * One rollout's guards as a family: the chance that any of them rolls back a treatment that is no
 * worse than its baseline, at any look, must be ≤ α (the rollout's false-rollback budget).
 *
 * Bonferroni: each of the G guards that can roll back runs at α/G. By the union bound,
 * P(any guard crosses) ≤ Σ P(guard g crosses) ≤ G·α/G = α, whatever the dependence between the
 * guards (errors and latency of the same requests are far from independent, so nothing sharper
 * is claimed). The price is log G nats more evidence per guard (log 3 ≈ 1.1 for errors, P95, P99).
 * Checks that only hold (sample-ratio mismatch) cannot roll back and are not part of the family.
 */

/** The level each of `guards` rolling-back guards runs at so that the family stays within `alpha`. */
export function perGuardAlpha(alpha: number, guards: number): number {
  if (!(alpha > 0 && alpha < 1)) throw new RangeError(`alpha must be in (0, 1), got ${alpha}`);
  if (!(Number.isInteger(guards) && guards >= 1)) throw new RangeError(`guards must be a positive integer, got ${guards}`);
  return alpha / guards;
}

/** The first guard, in the given order, whose log-evidence reaches log(G/α), or null: the family's decision. */
export function firstFailingGuard<Name extends string>(guards: ReadonlyArray<{ name: Name; logEvidence: number }>, alpha: number): Name | null {
  if (guards.length === 0) return null;
  const threshold = -Math.log(perGuardAlpha(alpha, guards.length));
  return guards.find((g) => g.logEvidence >= threshold)?.name ?? null;
}
