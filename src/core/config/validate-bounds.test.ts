import { describe, expect, it } from 'vitest';
import { MAX_JSON_DEPTH } from '../json-depth';
import { validateConfig } from './validate';
import { bool, doc } from '../../../test/helpers/validate-docs';

/** A targeting rule nested `n` levels of `{"!": …}` deep. */
function nested(n: number): unknown {
  let rule: unknown = { var: 'x' };
  for (let i = 0; i < n; i++) rule = { '!': rule };
  return rule;
}

describe('validateConfig: nesting depth', () => {
  it('refuses a config nested ~1,600 deep with the pointer of the first too-deep value, without a RangeError', () => {
    const r = validateConfig(doc({ f: bool({ targeting: nested(1600) }) }));
    expect(r.ok).toBe(false);
    expect(r.errors).toHaveLength(1);
    // The document is depth 0, /flags 1, /flags/f 2, /flags/f/targeting 3, each "!" one more: depth 65 is the first too deep.
    const expected = '/flags/f/targeting' + '/!'.repeat(MAX_JSON_DEPTH + 1 - 3);
    expect(r.errors[0]).toEqual({ path: expected, message: expect.stringContaining(`${MAX_JSON_DEPTH} levels`) });
  });

  it('refuses 100,000 levels of arrays just as well', () => {
    const deep = JSON.parse('['.repeat(100_000) + ']'.repeat(100_000));
    const r = validateConfig(doc({ f: bool({ variants: { on: deep, off: [] } }) }));
    expect(r.ok).toBe(false);
    expect(r.errors[0]!.path).toMatch(/^\/flags\/f\/variants\/on(\/0)+$/);
  });

  it('accepts a rule nested within the limit', () => {
    expect(validateConfig(doc({ f: bool({ targeting: { if: [nested(50), 'on', 'off'] } }) })).errors).toEqual([]);
  });
});

describe('validateConfig: reserved and prototype names', () => {
  it('refuses "__proto__" as a flag, variant, evaluator, environment overlay or metadata key, with its pointer', () => {
    const cases: Array<[string, string]> = [
      ['{"flags": {"__proto__": {"state": "ENABLED", "variants": {"on": true}, "defaultVariant": "on"}}}', '/flags/__proto__'],
      ['{"flags": {"f": {"state": "ENABLED", "variants": {"__proto__": true, "on": true}, "defaultVariant": "on"}}}', '/flags/f/variants/__proto__'],
      ['{"flags": {}, "$evaluators": {"__proto__": {"var": "x"}}}', '/$evaluators/__proto__'],
      [
        '{"flags": {"f": {"state": "ENABLED", "variants": {"on": true}, "defaultVariant": "on", "environments": {"__proto__": {}}}}}',
        '/flags/f/environments/__proto__',
      ],
      ['{"flags": {}, "metadata": {"__proto__": "x"}}', '/metadata/__proto__'],
    ];
    for (const [text, path] of cases) {
      const r = validateConfig(JSON.parse(text));
      expect(r.ok, text).toBe(false);
      expect(r.errors, text).toEqual([{ path, message: expect.stringContaining('"__proto__" is reserved') }]);
    }
  });

  it('accepts "constructor", "toString" and "hasOwnProperty" as real flag, variant and evaluator names', () => {
    const flag = {
      state: 'ENABLED',
      variants: { constructor: 'a', toString: 'b', valueOf: 'c' },
      defaultVariant: 'toString',
      targeting: { if: [{ $ref: 'hasOwnProperty' }, 'constructor', 'valueOf'] },
    };
    const r = validateConfig({
      flags: { constructor: flag, toString: bool(), hasOwnProperty: bool() },
      $evaluators: { hasOwnProperty: { '==': [{ var: 'plan' }, 'pro'] } },
    });
    expect(r.errors).toEqual([]);
    expect(Object.keys(r.config!.flags)).toEqual(['constructor', 'toString', 'hasOwnProperty']);
    expect(Object.hasOwn(r.config!.flags, 'constructor')).toBe(true);
  });

  it('refuses a default variant named after a prototype method that the flag lacks', () => {
    const r = validateConfig(doc({ f: bool({ defaultVariant: 'toString' }) }));
    expect(r.errors).toEqual([{ path: '/flags/f/defaultVariant', message: expect.stringContaining('"toString" is not one of') }]);
  });

  it('resolves no overlay for an environment named "constructor" that the flag does not mention', () => {
    const r = validateConfig({ environments: ['constructor'], flags: { f: bool() } });
    expect(r.errors).toEqual([]);
  });
});

describe('validateConfig: fractional', () => {
  const frac = (buckets: unknown[], extra: Record<string, unknown> = {}) => validateConfig(doc({ f: bool({ targeting: { fractional: buckets }, ...extra }) }));

  it('accepts what flagd accepts and means: literal variants, integer weights, shorthand entries, a bucketing key', () => {
    expect(
      frac([
        ['on', 50],
        ['off', 50],
      ]).errors,
    ).toEqual([]);
    expect(frac([{ var: 'email' }, ['on', 0], ['off']]).errors).toEqual([]);
    expect(frac(['fixed-key', ['on', 2_147_483_646], ['off', 1]]).errors).toEqual([]);
    // Computed weights and names are left to evaluation (flagd clamps a negative computed weight on purpose).
    expect(
      frac([
        ['on', { '-': [10, { var: 'n' }] }],
        [{ var: 'v' }, 1],
      ]).errors,
    ).toEqual([]);
  });

  it('refuses a bucket naming a variant the flag does not have', () => {
    expect(
      frac([
        ['on', 50],
        ['of', 50],
      ]).errors,
    ).toEqual([{ path: '/flags/f/targeting/fractional/1/0', message: expect.stringContaining('"of" is not a variant') }]);
    // Also as the result of an if.
    const r = validateConfig(
      doc({
        f: bool({
          targeting: {
            if: [
              { var: 'beta' },
              {
                fractional: [
                  ['on', 1],
                  ['nope', 1],
                ],
              },
              'off',
            ],
          },
        }),
      }),
    );
    expect(r.errors).toEqual([{ path: '/flags/f/targeting/if/1/fractional/1/0', message: expect.stringContaining('"nope"') }]);
  });

  it('refuses negative, non-integer and over-int32 weights, and over-int32 sums', () => {
    expect(
      frac([
        ['on', -1],
        ['off', 50],
      ]).errors,
    ).toEqual([{ path: '/flags/f/targeting/fractional/0/1', message: expect.stringContaining('not negative') }]);
    expect(
      frac([
        ['on', 0.5],
        ['off', 50],
      ]).errors,
    ).toEqual([{ path: '/flags/f/targeting/fractional/0/1', message: expect.stringContaining('integers') }]);
    expect(
      frac([
        ['on', 2_147_483_648],
        ['off', 1],
      ]).errors,
    ).toEqual([{ path: '/flags/f/targeting/fractional/0/1', message: expect.stringContaining('at most 2147483647') }]);
    expect(
      frac([
        ['on', 2_147_483_647],
        ['off', 1],
      ]).errors,
    ).toEqual([{ path: '/flags/f/targeting/fractional', message: expect.stringContaining('sum to 2147483648') }]);
    expect(frac([['on', 'ten']]).errors).toEqual([{ path: '/flags/f/targeting/fractional/0/1', message: expect.stringContaining('integer') }]);
    expect(frac([['on', 1, 2]]).errors).toEqual([{ path: '/flags/f/targeting/fractional/0', message: expect.stringContaining('not 3 items') }]);
  });

  it('checks weights inside $evaluators too', () => {
    const r = validateConfig({
      flags: { f: bool({ targeting: { $ref: 'split' } }) },
      $evaluators: {
        split: {
          fractional: [
            ['on', -5],
            ['off', 5],
          ],
        },
      },
    });
    expect(r.errors).toEqual([{ path: '/$evaluators/split/fractional/0/1', message: expect.stringContaining('not negative') }]);
  });
});

describe('validateConfig: health-check URLs', () => {
  const withCheck = (url: string) => validateConfig({ environments: [{ name: 'production', healthChecks: [{ name: 'api', url }] }], flags: { f: bool() } });

  it('accepts a public https URL', () => {
    expect(withCheck('https://api.example.com/health').errors).toEqual([]);
  });

  it('allows at most 20 health checks per environment', () => {
    const checks = (n: number) => Array.from({ length: n }, (_, i) => ({ name: `c${i}`, url: `https://api.example.com/${i}` }));
    const config = (n: number) => ({ environments: [{ name: 'production', healthChecks: checks(n) }], flags: { f: bool() } });
    expect(validateConfig(config(20)).errors).toEqual([]);
    expect(validateConfig(config(21)).errors.map((e) => e.path)).toEqual(['/environments/0/healthChecks']);
  });

  it.each([
    'http://169.254.169.254/latest/meta-data/',
    'http://localhost:8787/',
    'http://10.0.0.1/',
    'http://[::1]/',
    'ftp://example.com/',
    'https://u:p@example.com/',
    'http://intranet/',
  ])('refuses %s at its pointer', (url) => {
    expect(withCheck(url).errors).toEqual([{ path: '/environments/0/healthChecks/0/url', message: expect.stringContaining('public http(s)') }]);
  });
});
