import { bucketOf, bucketPrefix, NO_PREFIX } from '../../bucketing';
import type { Murmur3State } from '../../murmur3';
import { constantValue, isConstant } from '../compile';
import type { EvalState, OperatorCompiler } from '../types';
import { argList } from './evaluated-args';
import { assertRoot } from './root-scope';

/** Weights above this are refused, as flagd refuses sums over int32. */
const MAX_TOTAL_WEIGHT = 2147483647;

interface Bucket {
  variant: unknown;
  weight: number;
}

interface BucketList {
  buckets: Bucket[];
  total: number;
}

/**
 * Turns evaluated bucket entries into a list, or null when an entry is malformed:
 * each entry is `[variant]` or `[variant, integerWeight]`; negative weights count as zero.
 */
function toBuckets(entries: readonly unknown[]): BucketList | null {
  const buckets: Bucket[] = [];
  let total = 0;
  for (const entry of entries) {
    if (!Array.isArray(entry) || entry.length === 0 || entry.length > 2) return null;
    const v: unknown = entry[0];
    let variant: unknown;
    if (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean') variant = v;
    else if (v === null || v === undefined) variant = null;
    else return null;
    let weight = 1;
    if (entry.length === 2) {
      const w: unknown = entry[1];
      if (typeof w !== 'number' || !Number.isInteger(w)) return null;
      weight = Math.max(0, w);
    }
    buckets.push({ variant, weight });
    total += weight;
  }
  return { buckets, total };
}

function pick(prefix: Murmur3State, key: string, list: BucketList | null): unknown {
  if (!list || list.total <= 0 || list.total > MAX_TOTAL_WEIGHT) return null;
  const bucket = bucketOf(prefix, key, list.total);
  let sum = 0;
  for (const b of list.buckets) {
    sum += b.weight;
    if (sum > bucket) return b.variant;
  }
  return null;
}

/** The hash state of the flag key, which prefixes the implicit bucketing key; cached per flag key. */
let lastFlagKey = '';
let lastFlagPrefix = NO_PREFIX;
function flagKeyPrefix(flagKey: string): Murmur3State {
  if (flagKey !== lastFlagKey) {
    lastFlagPrefix = bucketPrefix(flagKey);
    lastFlagKey = flagKey;
  }
  return lastFlagPrefix;
}

/** flagd's fractional over evaluated arguments; `fixed` holds the bucket lists when they are constant. */
function fractionalOf(
  args: readonly unknown[],
  st: EvalState,
  fixed?: { explicit: BucketList | null; implicit: BucketList | null },
  keyPrefix?: Murmur3State,
): unknown {
  if (args.length < 1) return null;
  const head = args[0];
  if (typeof head === 'string') return pick(NO_PREFIX, head, fixed ? fixed.explicit : toBuckets(args.slice(1)));
  const targetingKey = (st.root as Record<string, unknown>)['targetingKey'];
  if (!targetingKey) return null;
  // The key is `flagKey + targetingKey`; the flag key's part of the hash is computed once.
  // eslint-disable-next-line @typescript-eslint/no-base-to-string -- flagd hashes String() of any truthy targetingKey, objects included
  return pick(keyPrefix ?? flagKeyPrefix(st.flagKey), String(targetingKey), fixed ? fixed.implicit : toBuckets(args));
}

/**
 * flagd's `fractional`: `[bucketBy?, [variant, weight], …]`. Without a string `bucketBy`, the key
 * is `$flagd.flagKey + targetingKey`. Variant names and weights may be expressions, all evaluated
 * first (so a failing one fails the rule even without a targetingKey). Malformed input yields
 * null, so the flag falls back to its default variant.
 */
const fractional: OperatorCompiler = (input) => {
  const raw = input.raw;
  // fractional runs only at the root, where $flagd.flagKey is the compiled flag's key.
  const keyPrefix = input.flagKey === undefined ? undefined : bucketPrefix(input.flagKey);
  if (Array.isArray(raw) && raw.length > 1) {
    const parts = input.compileArgs();
    const head = parts[0]!;
    const rest = parts.slice(1);
    if (rest.every(isConstant)) {
      // Constant buckets (the common case) are validated once.
      const values = rest.map(constantValue);
      const explicit = toBuckets(values);
      if (isConstant(head)) {
        const all = [constantValue(head), ...values];
        const fixed = { explicit, implicit: toBuckets(all) };
        return (d, st) => {
          assertRoot(d, st, 'fractional');
          return fractionalOf(all, st, fixed, keyPrefix);
        };
      }
      return (d, st) => {
        const key = head(d, st);
        assertRoot(d, st, 'fractional');
        return typeof key === 'string' ? pick(NO_PREFIX, key, explicit) : fractionalOf([key, ...values], st, undefined, keyPrefix);
      };
    }
    return (d, st) => {
      const values = parts.map((p) => p(d, st));
      assertRoot(d, st, 'fractional');
      return fractionalOf(values, st, undefined, keyPrefix);
    };
  }
  const args = argList(input);
  return (d, st) => {
    const values = args(d, st) as unknown[];
    assertRoot(d, st, 'fractional');
    return fractionalOf(values, st, undefined, keyPrefix);
  };
};

export const fractionalOperators: Record<string, OperatorCompiler> = { fractional };
