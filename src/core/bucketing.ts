import { murmur3 } from './murmur3';

/**
 * flagd's bucket for a key: `(murmur3(key) * totalWeight) >> 32`, an integer in [0, totalWeight).
 * The product stays exact below 2^53, so BigInt is needed only for very large weights.
 */
export function bucketOf(key: string, totalWeight: number): number {
  const hash = murmur3(key);
  if (totalWeight <= 0x1fffff) return Math.floor((hash * totalWeight) / 0x100000000);
  return Number((BigInt(hash) * BigInt(totalWeight)) >> 32n);
}
