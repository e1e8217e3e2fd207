import { describe, expect, it } from 'vitest';
import { validateConfig } from './validate';
import { example, bool, doc, paths } from '../../../test/helpers/validate-docs';

describe('validateConfig: the example config/flags.json', () => {
  const result = validateConfig(example);

  it('has no errors', () => {
    expect(result.errors).toEqual([]);
    expect(result.ok).toBe(true);
  });

  it('warns only where development deliberately turns experiments on for everyone', () => {
    expect(result.warnings).toEqual([
      {
        path: '/flags/new-search-ranking/environments/development/defaultVariant',
        message: 'experimental flag defaults to a truthy variant "on"',
      },
      {
        path: '/flags/ai-shopping-assistant/environments/development/defaultVariant',
        message: 'experimental flag defaults to a truthy variant "on"',
      },
    ]);
  });

  it('describes the documented flags and environments', () => {
    const flags = example.flags;
    expect(Object.keys(flags).length).toBeGreaterThanOrEqual(18);
    expect(example['environments']).toEqual(['development', 'staging', { name: 'production', protected: true }]);
    for (const [key, flag] of Object.entries(flags)) {
      expect(key).toMatch(/^[a-z0-9]+(-[a-z0-9]+)*$/);
      expect(typeof flag.metadata?.['description'], key).toBe('string');
    }
    expect(flags['new-checkout']?.variants).toEqual({ on: true, off: false });
    expect(flags['new-checkout']?.environments?.['production']).toEqual({ defaultVariant: 'off' });
    expect(typeof flags['banner-text']?.variants[flags['banner-text'].defaultVariant!]).toBe('string');
    expect(typeof flags['search-config']?.variants[flags['search-config'].defaultVariant!]).toBe('object');
    const states = Object.values(flags).map((f) => f.state);
    expect(states).toContain('DISABLED');
    expect(Object.values(flags).some((f) => !('defaultVariant' in f))).toBe(true);
    const categories = Object.values(flags).map((f) => f.metadata?.['category']);
    expect(categories).toContain('critical');
    expect(categories).toContain('experimental');
  });
});

describe('validateConfig: semantic errors, each at its JSON Pointer', () => {
  it('a default variant that is not a variant', () => {
    const r = validateConfig(doc({ f: bool({ defaultVariant: 'onn' }) }));
    expect(r.ok).toBe(false);
    expect(r.errors).toEqual([{ path: '/flags/f/defaultVariant', message: expect.stringContaining('"onn"') }]);
  });

  it('accepts a flag without defaultVariant (code default) or with a null one', () => {
    const { defaultVariant: _, ...noDefault } = bool();
    const r = validateConfig(doc({ a: noDefault, b: bool({ defaultVariant: null }) }));
    expect(r.errors).toEqual([]);
    expect(r.ok).toBe(true);
  });

  it('variants of mixed types', () => {
    const r = validateConfig(doc({ f: bool({ variants: { on: true, off: 'false' } }) }));
    expect(r.errors).toEqual([{ path: '/flags/f/variants', message: expect.stringMatching(/boolean and string/) }]);
  });

  it('an unknown operator, located inside the targeting rule', () => {
    const r = validateConfig(doc({ f: bool({ targeting: { if: [{ contains: [{ var: 'email' }, 'x'] }, 'on'] } }) }));
    expect(r.errors).toEqual([{ path: '/flags/f/targeting/if/0', message: 'unknown operator "contains"' }]);
  });

  it('an unresolved $ref', () => {
    const r = validateConfig(doc({ f: bool({ targeting: { if: [{ $ref: 'is_staff' }, 'on'] } }) }, { $evaluators: { is_internal: { '==': [1, 1] } } }));
    expect(r.errors).toEqual([{ path: '/flags/f/targeting/if/0', message: expect.stringContaining('"is_staff"') }]);
  });

  it('a $ref cycle between evaluators', () => {
    const r = validateConfig(
      doc({ f: bool({ targeting: { if: [{ $ref: 'a' }, 'on'] } }) }, { $evaluators: { a: { or: [{ $ref: 'b' }, false] }, b: { $ref: 'a' } } }),
    );
    expect(r.ok).toBe(false);
    expect(r.errors.length).toBeGreaterThan(0);
    for (const e of r.errors) {
      expect(e.message).toMatch(/cycle/);
      expect(e.path).toMatch(/^\/\$evaluators\/(a|b)(\/|$)/);
    }
  });

  it('an evaluator that refers to itself', () => {
    const r = validateConfig(doc({ f: bool() }, { $evaluators: { loop: { '!': [{ $ref: 'loop' }] } } }));
    expect(r.errors).toEqual([{ path: '/$evaluators/loop/!/0', message: '"$ref" cycle: loop -> loop' }]);
  });

  it('an overlay naming an unknown environment', () => {
    const r = validateConfig(doc({ f: bool({ environments: { qa: { state: 'DISABLED' } } }) }));
    expect(r.errors).toEqual([{ path: '/flags/f/environments/qa', message: expect.stringContaining('"qa"') }]);
    expect(r.errors[0]!.message).toContain('development, staging, production');
  });

  it('an overlay naming an environment the config does not list', () => {
    const r = validateConfig(doc({ f: bool({ environments: { staging: { defaultVariant: 'on' } } }) }, { environments: ['development', 'production'] }));
    expect(paths(r.errors)).toEqual(['/flags/f/environments/staging']);
  });

  it('an overlay default variant that breaks the flag in one environment only', () => {
    const r = validateConfig(doc({ f: bool({ environments: { development: { defaultVariant: 'on' }, staging: { defaultVariant: 'enabled' } } }) }));
    expect(r.errors).toEqual([{ path: '/flags/f/environments/staging/defaultVariant', message: expect.stringContaining('"enabled"') }]);
  });

  it('overlay variants that mix types in one environment only', () => {
    const r = validateConfig(doc({ f: bool({ environments: { production: { variants: { on: 'yes' } } } }) }));
    expect(r.errors).toEqual([{ path: '/flags/f/environments/production/variants', message: expect.stringMatching(/boolean and string/) }]);
  });

  it('overlay targeting that does not compile in one environment only', () => {
    const r = validateConfig(doc({ f: bool({ environments: { staging: { targeting: { if: [{ $ref: 'nope' }, 'on'] } } } }) }));
    expect(r.errors).toEqual([{ path: '/flags/f/environments/staging/targeting/if/0', message: expect.stringContaining('"nope"') }]);
  });

  it('reports an error of the base flag once, where it is written, even when overlays inherit it', () => {
    const r = validateConfig(
      doc({
        f: bool({
          targeting: { if: [{ nope: [] }, 'on'] },
          environments: { development: { state: 'DISABLED' }, staging: { defaultVariant: 'on' } },
        }),
        g: bool({ defaultVariant: 'missing', environments: { production: { state: 'DISABLED' } } }),
      }),
    );
    expect(paths(r.errors)).toEqual(['/flags/f/targeting/if/0', '/flags/g/defaultVariant']);
  });

  it('a duplicate environment', () => {
    const r = validateConfig(doc({ f: bool() }, { environments: ['development', 'staging', { name: 'staging', protected: true }] }));
    expect(r.errors).toEqual([{ path: '/environments/2', message: 'duplicate environment "staging"' }]);
  });

  it('a category other than critical or experimental, reported once despite overlays', () => {
    const r = validateConfig(
      doc({ f: bool({ metadata: { category: 'critcal' }, environments: { development: { defaultVariant: 'on' }, production: { state: 'ENABLED' } } }) }),
    );
    expect(r.errors).toEqual([{ path: '/flags/f/metadata/category', message: expect.stringContaining('critical') }]);
  });
});

describe('validateConfig: schema errors', () => {
  it('an unknown key (a typo) in a flag, at its own path', () => {
    const r = validateConfig(doc({ f: { state: 'ENABLED', variants: { on: true }, defaultVarient: 'on' } }));
    expect(r.ok).toBe(false);
    expect(r.errors).toEqual([{ path: '/flags/f/defaultVarient', message: expect.stringContaining('defaultVarient') }]);
  });

  it('unknown keys in an overlay, an environment spec and at the top level', () => {
    const r = validateConfig(
      doc(
        { f: bool({ environments: { production: { stat: 'DISABLED', defaultVariant: 'on' } } }) },
        { evaluators: {}, environments: ['development', { name: 'production', protect: true }] },
      ),
    );
    expect(paths(r.errors)).toEqual(['/environments/1/protect', '/evaluators', '/flags/f/environments/production/stat']);
  });

  it('reports schema and semantic errors in one run: the flags the schema accepted are still checked', () => {
    const r = validateConfig(
      doc({
        typo: { state: 'ENABLED', variants: { on: true }, defaultVarient: 'on' },
        'bad-default': bool({ defaultVariant: 'onn' }),
        mixed: bool({ variants: { on: true, off: 'false' } }),
        fine: bool(),
      }),
    );
    expect(r.ok).toBe(false);
    expect(r.errors).toEqual([
      { path: '/flags/typo/defaultVarient', message: expect.stringContaining('defaultVarient') },
      { path: '/flags/bad-default/defaultVariant', message: expect.stringContaining('"onn"') },
      { path: '/flags/mixed/variants', message: expect.stringMatching(/boolean and string/) },
    ]);
  });

  it('reports only the schema errors when one lies outside the flags (nothing sound to check them against)', () => {
    const r = validateConfig(doc({ 'bad-default': bool({ defaultVariant: 'onn' }) }, { environments: ['development', { name: 'production', protect: true }] }));
    expect(paths(r.errors)).toEqual(['/environments/1/protect']);
  });

  it('a state that is not ENABLED or DISABLED', () => {
    const r = validateConfig(doc({ f: bool({ state: 'ON' }) }));
    expect(r.errors).toEqual([{ path: '/flags/f/state', message: expect.stringContaining('ENABLED') }]);
  });

  it('wrong types: variants not an object, targeting an array, metadata not flat, bad environment name', () => {
    const r = validateConfig(
      doc(
        {
          a: bool({ variants: ['on', 'off'] }),
          b: bool({ targeting: [{ '==': [1, 1] }] }),
          c: bool({ metadata: { description: { text: 'nested' } } }),
          d: bool({ environments: { production: { state: 'OFF' } } }),
        },
        { environments: ['Production'] },
      ),
    );
    expect(paths(r.errors)).toEqual([
      '/environments/0',
      '/flags/a/variants',
      '/flags/b/targeting',
      '/flags/c/metadata/description',
      '/flags/d/environments/production/state',
    ]);
  });

  it('a flag without variants', () => {
    const r = validateConfig(doc({ f: bool({ variants: {} }) }));
    expect(r.errors).toEqual([{ path: '/flags/f/variants', message: 'a flag needs at least one variant' }]);
  });

  it('a document that is not an object, or has no flags', () => {
    expect(validateConfig('flags').errors).toEqual([{ path: '/', message: expect.any(String) }]);
    expect(paths(validateConfig({}).errors)).toEqual(['/flags']);
  });
});

describe('validateConfig: every error is reported', () => {
  it('three independent semantic errors give three errors', () => {
    const r = validateConfig(
      doc(
        {
          a: bool({ defaultVariant: 'nope' }),
          b: bool({ variants: { on: true, off: 0 } }),
          c: bool({ targeting: { if: [{ $ref: 'missing' }, 'on'] } }),
        },
        { $evaluators: {} },
      ),
    );
    expect(paths(r.errors)).toEqual(['/flags/a/defaultVariant', '/flags/b/variants', '/flags/c/targeting/if/0']);
  });

  it('three independent schema errors give three errors', () => {
    const r = validateConfig(doc({ a: bool({ state: 'ON' }), b: bool({ defaultVarient: 'on' }), c: bool({ variants: 'on' }) }));
    expect(paths(r.errors)).toEqual(['/flags/a/state', '/flags/b/defaultVarient', '/flags/c/variants']);
  });

  it('errors in several environments and in the base flag are all reported', () => {
    const r = validateConfig(
      doc(
        {
          f: bool({
            metadata: { category: 'urgent' },
            environments: {
              development: { defaultVariant: 'x' },
              staging: { targeting: { nope: [] } },
              production: { variants: { off: 0 } },
            },
          }),
        },
        { environments: ['development', 'staging', 'production', 'development'] },
      ),
    );
    expect(paths(r.errors)).toEqual([
      '/environments/3',
      '/flags/f/environments/development/defaultVariant',
      '/flags/f/environments/production/variants',
      '/flags/f/environments/staging/targeting',
      '/flags/f/metadata/category',
    ]);
  });
});
