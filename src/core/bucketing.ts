import { type Murmur3State, murmur3From, murmur3Prefix } from './murmur3';

/** The hash state of a constant bucketing prefix (a flag key, a rollout id), made once per snapshot. */
export function bucketPrefix(prefix: string): Murmur3State {
  return murmur3Prefix(prefix);
}

/**
 * flagd's bucket for `prefix + key`: `(murmur3 * totalWeight) >> 32`, an integer in [0, totalWeight).
 * The product stays exact below 2^53, so BigInt is needed only for very large weights.
 */
export function bucketOf(prefix: Murmur3State, key: string, totalWeight: number): number {
  const hash = murmur3From(prefix, key);
  if (totalWeight <= 0x1fffff) return Math.floor((hash * totalWeight) / 0x100000000);
  return Number((BigInt(hash) * BigInt(totalWeight)) >> 32n);
}

/** The prefix state of the empty string, for keys that come whole. */
export const NO_PREFIX: Murmur3State = murmur3Prefix('');
