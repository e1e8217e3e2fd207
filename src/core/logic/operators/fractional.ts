import { bucketOf } from '../../bucketing';
import { constantValue, isConstant } from '../compile';
import type { Compiled, EvalState, OperatorCompiler } from '../types';

/** Weights above this are refused, as flagd refuses sums over int32. */
const MAX_TOTAL_WEIGHT = 2147483647;

interface Bucket {
  variant: unknown;
  weight: number;
}

/**
 * Turns evaluated bucket entries into a list, or null when an entry is malformed:
 * each entry is `[variant]` or `[variant, integerWeight]`; negative weights count as zero.
 */
function toBuckets(entries: readonly unknown[]): { buckets: Bucket[]; total: number } | null {
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

function pick(key: string, buckets: readonly Bucket[], total: number): unknown {
  if (total <= 0 || total > MAX_TOTAL_WEIGHT) return null;
  const bucket = bucketOf(key, total);
  let sum = 0;
  for (const b of buckets) {
    sum += b.weight;
    if (sum > bucket) return b.variant;
  }
  return null;
}

/**
 * flagd's `fractional`: `[bucketBy?, [variant, weight], …]`. Without a string `bucketBy`, the key
 * is `$flagd.flagKey + targetingKey`. Variant names and weights may be expressions.
 * Malformed input yields null, so the flag falls back to its default variant.
 */
const fractional: OperatorCompiler = (input) => {
  if (!Array.isArray(input.raw) || input.raw.length < 1) return () => null;
  const parts = input.compileArgs();
  const first = parts[0]!;
  const bucketParts = parts.slice(1);

  // Constant bucket lists (the common case) are validated once.
  const fixed = parts.every(isConstant) ? parts.map(constantValue) : null;
  const fixedExplicit = fixed && typeof fixed[0] === 'string' ? toBuckets(fixed.slice(1)) : null;
  const fixedImplicit = fixed && typeof fixed[0] !== 'string' ? toBuckets(fixed) : null;

  return (d: unknown, st: EvalState) => {
    const head = first(d, st);
    if (typeof head === 'string') {
      const list = fixedExplicit ?? toBuckets(evaluate(bucketParts, d, st));
      return list ? pick(head, list.buckets, list.total) : null;
    }
    const targetingKey = (st.root as Record<string, unknown>)['targetingKey'];
    if (!targetingKey) return null;
    const list = fixedImplicit ?? toBuckets([head, ...evaluate(bucketParts, d, st)]);
    return list ? pick(`${st.flagKey}${String(targetingKey)}`, list.buckets, list.total) : null;
  };
};

function evaluate(parts: readonly Compiled[], d: unknown, st: EvalState): unknown[] {
  const out = new Array(parts.length);
  for (let i = 0; i < parts.length; i++) out[i] = parts[i]!(d, st);
  return out;
}

export const fractionalOperators: Record<string, OperatorCompiler> = { fractional };
