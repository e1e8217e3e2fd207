import MurmurHash3 from 'imurmurhash';
import { describe, expect, it } from 'vitest';
import type { PublishedFlag } from '../schema/flag';
import type { PublishedFlagSet } from '../schema/flag-set';
import { compileFlagSet, evaluateAll, evaluateFlag } from './flag-set';
import type { Resolution } from './resolution';

const NOW = Date.UTC(2026, 10, 27, 12, 0, 30);
const variants = { on: true, off: false };

function evaluate(flag: PublishedFlag, context: Record<string, unknown> = {}, extra: Partial<PublishedFlagSet> = {}): Resolution {
  return evaluateFlag(compileFlagSet({ flags: { f: flag }, ...extra }), 'f', context, NOW);
}

describe('compileFlag: reasons', () => {
  it('STATIC without targeting (an empty rule counts as none)', () => {
    expect(evaluate({ state: 'ENABLED', variants, defaultVariant: 'on' })).toMatchObject({ reason: 'STATIC', value: true, variant: 'on' });
    expect(evaluate({ state: 'ENABLED', variants, defaultVariant: 'off', targeting: {} })).toMatchObject({ reason: 'STATIC', variant: 'off' });
  });

  it('TARGETING_MATCH when the rule names a variant, DEFAULT when it yields null', () => {
    const flag: PublishedFlag = { state: 'ENABLED', variants, defaultVariant: 'on', targeting: { if: [{ var: 'beta' }, 'off', null] } };
    expect(evaluate(flag, { beta: true })).toMatchObject({ reason: 'TARGETING_MATCH', value: false, variant: 'off' });
    expect(evaluate(flag, {})).toMatchObject({ reason: 'DEFAULT', value: true, variant: 'on' });
  });

  it('names the variant by the string form of the result', () => {
    const flag: PublishedFlag = { state: 'ENABLED', variants: { '1': 'one', true: 'yes', 'a,b': 'list' }, targeting: { var: 'v' } };
    expect(evaluate(flag, { v: 1 }).variant).toBe('1');
    expect(evaluate(flag, { v: true }).value).toBe('yes');
    expect(evaluate(flag, { v: ['a', 'b'] }).value).toBe('list');
  });

  it('DISABLED, with neither value nor variant', () => {
    const r = evaluate({ state: 'DISABLED', variants, defaultVariant: 'on', targeting: { var: 'x' } });
    expect(r.reason).toBe('DISABLED');
    expect(r).not.toHaveProperty('value');
    expect(r).not.toHaveProperty('variant');
  });

  it('ERROR PARSE_ERROR for targeting that does not compile, on every evaluation', () => {
    const r = evaluate({ state: 'ENABLED', variants, defaultVariant: 'on', targeting: { nope: [1] } });
    expect(r).toMatchObject({ reason: 'ERROR', errorCode: 'PARSE_ERROR' });
    expect(r.errorDetails).toContain('unknown operator "nope"');
    expect(r).not.toHaveProperty('value');
  });

  it('ERROR GENERAL when the rule fails while evaluating', () => {
    const flag: PublishedFlag = { state: 'ENABLED', variants, defaultVariant: 'on', targeting: { if: [{ '<': [{ var: 'age' }, 18] }, 'off', 'on'] } };
    expect(evaluate(flag, { age: 12 })).toMatchObject({ reason: 'TARGETING_MATCH', variant: 'off' });
    const r = evaluate(flag, { age: 'twelve' });
    expect(r).toMatchObject({ reason: 'ERROR', errorCode: 'GENERAL' });
    expect(r).not.toHaveProperty('value');
  });

  it('ERROR GENERAL, not an exception, when the result cannot become a variant name', () => {
    const r = evaluate({ state: 'ENABLED', variants, defaultVariant: 'on', targeting: { var: 'o' } }, { o: { toString: 1 } });
    expect(r).toMatchObject({ reason: 'ERROR', errorCode: 'GENERAL' });
  });

  it('ERROR GENERAL when the rule names a variant the flag does not have', () => {
    const r = evaluate({ state: 'ENABLED', variants, defaultVariant: 'on', targeting: { cat: ['o', { var: 's' }] } }, { s: 'ops' });
    expect(r).toMatchObject({ reason: 'ERROR', errorCode: 'GENERAL' });
    expect(r.errorDetails).toContain("variant 'oops' not found");
  });

  it('exposes $flagd.flagKey and $flagd.timestamp (seconds of `now`)', () => {
    const flag: PublishedFlag = {
      state: 'ENABLED',
      variants,
      defaultVariant: 'off',
      targeting: { if: [{ and: [{ '==': [{ var: '$flagd.flagKey' }, 'f'] }, { '==': [{ var: '$flagd.timestamp' }, Math.floor(NOW / 1000)] }] }, 'on', 'off'] },
    };
    expect(evaluate(flag).variant).toBe('on');
  });
});

describe('compileFlag: code defaults', () => {
  it('answers DEFAULT without a value when there is no defaultVariant', () => {
    for (const flag of [
      { state: 'ENABLED', variants },
      { state: 'ENABLED', variants, defaultVariant: null },
      { state: 'ENABLED', variants, targeting: { if: [{ var: 'x' }, 'on'] } },
    ] satisfies PublishedFlag[]) {
      const r = evaluate(flag);
      expect(r.reason).toBe('DEFAULT');
      expect(r).not.toHaveProperty('value');
      expect(r).not.toHaveProperty('variant');
      expect(r).not.toHaveProperty('errorCode');
    }
    expect(evaluate({ state: 'ENABLED', variants, targeting: { if: [{ var: 'x' }, 'on'] } }, { x: 1 })).toMatchObject({
      reason: 'TARGETING_MATCH',
      variant: 'on',
    });
  });

  it('reads an empty defaultVariant as none, as flagd-core does, even if a variant is named ""', () => {
    const r = evaluate({ state: 'ENABLED', variants: { '': 'empty', on: true }, defaultVariant: '' });
    expect(r.reason).toBe('DEFAULT');
    expect(r).not.toHaveProperty('value');
  });
});

describe('flag sets', () => {
  it('merges set metadata under flag metadata and answers FLAG_NOT_FOUND with the set metadata', () => {
    const set = compileFlagSet(
      {
        flags: { f: { state: 'ENABLED', variants, defaultVariant: 'on', metadata: { owner: 'team-a', scope: 'flag' } } },
        metadata: { scope: 'set', env: 'prod' },
      },
      { flagSetVersion: 7 },
    );
    expect(evaluateFlag(set, 'f', {}, NOW).metadata).toEqual({ owner: 'team-a', scope: 'flag', env: 'prod', flagSetVersion: 7 });
    expect(evaluateFlag(set, 'nope', {}, NOW)).toMatchObject({ reason: 'ERROR', errorCode: 'FLAG_NOT_FOUND', metadata: { scope: 'set', env: 'prod' } });
  });

  it('evaluates every flag in document order', () => {
    const set = compileFlagSet({
      flags: {
        b: { state: 'ENABLED', variants, defaultVariant: 'off' },
        a: { state: 'DISABLED', variants, defaultVariant: 'on' },
        c: { state: 'ENABLED', variants, defaultVariant: 'on', targeting: { if: [{ var: 'x' }, 'off'] } },
      },
    });
    expect(evaluateAll(set, { x: true }, NOW).map((r) => [r.key, r.reason, r.variant])).toEqual([
      ['b', 'STATIC', 'off'],
      ['a', 'DISABLED', undefined],
      ['c', 'TARGETING_MATCH', 'off'],
    ]);
  });
});

describe('rollout overlay', () => {
  const flagAt = (percent: number, extra: Partial<PublishedFlag> = {}): PublishedFlag => ({
    state: 'ENABLED',
    variants: { old: 'v1', new: 'v2', vip: 'v3' },
    defaultVariant: 'old',
    targeting: { if: [{ '==': [{ var: 'tier' }, 'vip'] }, 'vip', null] },
    rollout: { id: 'ro-checkout-42', variant: 'new', percent },
    ...extra,
  });
  const KEYS = Array.from({ length: 10_000 }, (_, i) => `user-${i}-${(i * 2654435761) >>> 0}`);

  function cohort(percent: number): Set<string> {
    const set = compileFlagSet({ flags: { f: flagAt(percent) } });
    const members = new Set<string>();
    for (const targetingKey of KEYS) {
      const r = evaluateFlag(set, 'f', { targetingKey }, NOW);
      expect(r.reason).toBe('SPLIT');
      if (r.variant === 'new') members.add(targetingKey);
      else expect(r.variant).toBe('old');
    }
    return members;
  }

  it('keeps a targeting match at every percentage', () => {
    for (const percent of [0, 50, 100]) {
      expect(evaluate(flagAt(percent), { targetingKey: 'u1', tier: 'vip' })).toMatchObject({ reason: 'TARGETING_MATCH', variant: 'vip' });
    }
  });

  it('grows a monotone cohort, within 1.5 points of the percentage, as it rises 5 → 100', () => {
    let previous = new Set<string>();
    for (const percent of [5, 10, 25, 50, 75, 100]) {
      const members = cohort(percent);
      for (const key of previous) expect(members.has(key), `${key} left the cohort at ${percent} %`).toBe(true);
      expect(Math.abs(members.size / KEYS.length - percent / 100)).toBeLessThanOrEqual(0.015);
      previous = members;
    }
    expect(previous.size).toBe(KEYS.length);
  });

  it('puts a key in the cohort exactly when murmur3(rolloutId + targetingKey) (the imurmurhash package) falls in the low buckets', () => {
    // flagd's bucket in basis points: hash × 10000 >> 32; in the cohort below percent × 100.
    const oracle = (key: string, percent: number) => Number((BigInt(new MurmurHash3(`ro-checkout-42${key}`).result()) * 10000n) >> 32n) < percent * 100;
    for (const percent of [25, 50]) {
      const members = cohort(percent);
      for (const key of KEYS.slice(0, 2000)) expect(members.has(key), key).toBe(oracle(key, percent));
    }
  });

  it('puts everyone on the baseline at 0 %', () => {
    expect(cohort(0).size).toBe(0);
  });

  it('gives the baseline with reason DEFAULT to a context without targetingKey below 100 %, the variant (SPLIT) at 100 %', () => {
    for (const context of [{}, { targetingKey: '' }, { targetingKey: 42 }]) {
      for (const percent of [5, 50, 99.99]) expect(evaluate(flagAt(percent), context)).toMatchObject({ reason: 'DEFAULT', variant: 'old', value: 'v1' });
      expect(evaluate(flagAt(100), context)).toMatchObject({ reason: 'SPLIT', variant: 'new', value: 'v2' });
    }
    expect(evaluate(flagAt(50, { rollout: { id: 'r', variant: 'new', baselineVariant: 'vip', percent: 50 } }))).toMatchObject({
      reason: 'DEFAULT',
      variant: 'vip',
    });
  });

  it('carries rolloutId and rolloutPercent in the metadata of every resolution', () => {
    for (const context of [{ targetingKey: 'a' }, {}, { tier: 'vip' }]) {
      expect(evaluate(flagAt(25), context).metadata).toMatchObject({ rolloutId: 'ro-checkout-42', rolloutPercent: 25 });
    }
  });

  it('keeps errors from the targeting rule', () => {
    const flag = flagAt(50, { targeting: { '<': [{ var: 'age' }, 18] } });
    expect(evaluate(flag, { targetingKey: 'a', age: 'x' })).toMatchObject({ reason: 'ERROR', errorCode: 'GENERAL' });
  });
});

describe('compileFlagSet: names shared with Object.prototype', () => {
  it('evaluates flags and variants named "constructor", "toString" and "hasOwnProperty", and knows their variants', () => {
    const set = compileFlagSet({
      flags: {
        constructor: {
          state: 'ENABLED' as const,
          variants: { toString: 'ts', valueOf: 'vo' },
          defaultVariant: 'toString',
          targeting: { if: [{ var: 'constructor' }, 'valueOf', null] },
        },
        toString: { state: 'ENABLED' as const, variants: { on: true, off: false }, defaultVariant: 'on' },
      },
    });
    expect(evaluateFlag(set, 'constructor', {}, 0)).toMatchObject({ reason: 'DEFAULT', variant: 'toString', value: 'ts' });
    expect(evaluateFlag(set, 'constructor', { constructor: 'yes' }, 0)).toMatchObject({ reason: 'TARGETING_MATCH', variant: 'valueOf', value: 'vo' });
    expect(evaluateFlag(set, 'toString', {}, 0)).toMatchObject({ variant: 'on', value: true });
    expect(evaluateFlag(set, 'hasOwnProperty', {}, 0)).toMatchObject({ reason: 'ERROR', errorCode: 'FLAG_NOT_FOUND' });
    expect([...set.variants.get('constructor')!]).toEqual(['toString', 'valueOf']);
    expect(set.variants.get('hasOwnProperty')).toBeUndefined();
  });
});
