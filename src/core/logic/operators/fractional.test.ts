import MurmurHash3 from 'imurmurhash';
import { describe, expect, it } from 'vitest';
import { evaluator, run } from '../../../../test/helpers/logic';
import { LogicRuntimeError } from '../types';

/** flagd-core's bucketing, written independently: `(murmur3(key) * total) >> 32`, walked through cumulative weights. */
function reference(key: string, buckets: [string, number][]): string | null {
  const total = buckets.reduce((sum, [, w]) => sum + w, 0);
  const bucket = (BigInt(new MurmurHash3(key).result() >>> 0) * BigInt(total)) >> 32n;
  let sum = 0n;
  for (const [variant, weight] of buckets) {
    sum += BigInt(weight);
    if (sum > bucket) return variant;
  }
  return null;
}

const quarters: [string, number][] = [
  ['clubs', 25],
  ['diamonds', 25],
  ['hearts', 25],
  ['spades', 10],
];

describe('fractional', () => {
  it('buckets an explicit key as flagd does', () => {
    const rule = evaluator({ fractional: [{ var: 'user' }, ...quarters] });
    for (let i = 0; i < 500; i++) {
      const user = `user-${i}@example.com`;
      expect(rule({ user })).toBe(reference(user, quarters));
    }
  });

  it('buckets by flag key + targetingKey without an explicit key', () => {
    const rule = evaluator({ fractional: quarters }, { flagKey: 'checkout' });
    for (let i = 0; i < 500; i++) {
      const targetingKey = `tk-${i * 7919}`;
      expect(rule({ targetingKey })).toBe(reference(`checkout${targetingKey}`, quarters));
    }
    expect(rule({})).toBeNull();
    expect(rule({ targetingKey: '' })).toBeNull();
  });

  it('splits 10,000 keys close to the weights', () => {
    const rule = evaluator({ fractional: [{ var: 'k' }, ['a', 50], ['b', 30], ['c', 20]] });
    const counts: Record<string, number> = { a: 0, b: 0, c: 0 };
    for (let i = 0; i < 10_000; i++) counts[rule({ k: `key-${i}` }) as string]!++;
    expect(counts['a']! / 10_000).toBeCloseTo(0.5, 1);
    expect(Math.abs(counts['b']! / 10_000 - 0.3)).toBeLessThan(0.02);
    expect(Math.abs(counts['c']! / 10_000 - 0.2)).toBeLessThan(0.02);
  });

  it('accepts shorthand entries, zero and negative weights', () => {
    expect(run({ fractional: [['only']] }, { targetingKey: 'x' })).toBe('only');
    expect(run({ fractional: [{ var: 'k' }, ['a', 0], ['b', -5], ['c', 1]] }, { k: 'any' })).toBe('c');
    expect(run({ fractional: [{ var: 'k' }, ['a', 0], ['b', 0]] }, { k: 'any' })).toBeNull();
  });

  it('yields null for malformed buckets and oversized totals', () => {
    expect(run({ fractional: [{ var: 'k' }, ['a', 1.5]] }, { k: 'x' })).toBeNull();
    expect(run({ fractional: [{ var: 'k' }, ['a', 1, 2]] }, { k: 'x' })).toBeNull();
    expect(run({ fractional: [{ var: 'k' }, 'a'] }, { k: 'x' })).toBeNull();
    expect(run({ fractional: [{ var: 'k' }, ['a', 2147483647], ['b', 1]] }, { k: 'x' })).toBeNull();
    expect(run({ fractional: [] }, { targetingKey: 'x' })).toBeNull();
    // A non-string bucketing key falls back to the targetingKey, and is then read as a bucket.
    expect(run({ fractional: [{ var: 'missing' }, ['a', 1]] }, { targetingKey: 'x' })).toBeNull();
  });

  it('evaluates variant and weight expressions, before deciding anything', () => {
    const rule = evaluator({
      fractional: [{ var: 'k' }, [{ if: [{ var: 'vip' }, 'gold', 'silver'] }, { var: 'w' }], ['bronze', 0]],
    });
    expect(rule({ k: 'x', vip: true, w: 1 })).toBe('gold');
    expect(rule({ k: 'x', w: 1 })).toBe('silver');
    expect(rule({ k: 'x', w: '1' })).toBeNull();
    expect(() => run({ fractional: [['a', { '+': [{ var: 'bad' }] }]] }, { bad: {} })).toThrow(LogicRuntimeError);
  });

  it('takes a computed bucket list', () => {
    expect(run({ fractional: { var: 'spec' } }, { spec: ['key', ['only', 1]] })).toBe('only');
    expect(run({ fractional: { var: 'spec' } }, { spec: null })).toBeNull();
  });

  it('fails inside an iterator body', () => {
    expect(() => run({ map: [{ var: 'xs' }, { fractional: [['a', 1]] }] }, { xs: [1], targetingKey: 'x' })).toThrow(LogicRuntimeError);
  });
});
