import { describe, expect, it } from 'vitest';
import { validateConfig } from './validate';
import { bool, doc, paths } from '../../../test/helpers/validate-docs';

describe('validateConfig: warnings', () => {
  it('an experimental flag that defaults to a truthy variant', () => {
    const r = validateConfig(doc({ f: bool({ defaultVariant: 'on', metadata: { category: 'experimental' } }) }));
    expect(r.ok).toBe(true);
    expect(r.errors).toEqual([]);
    expect(r.warnings).toEqual([{ path: '/flags/f/defaultVariant', message: 'experimental flag defaults to a truthy variant "on"' }]);
  });

  it('an experimental flag switched on by default in one environment', () => {
    const r = validateConfig(doc({ f: bool({ metadata: { category: 'experimental' }, environments: { development: { defaultVariant: 'on' } } }) }));
    expect(r.ok).toBe(true);
    expect(r.warnings).toEqual([{ path: '/flags/f/environments/development/defaultVariant', message: 'experimental flag defaults to a truthy variant "on"' }]);
  });

  it('experimental truthiness follows JSON: non-empty strings and objects are truthy, 0 and "" are not', () => {
    const exp = { category: 'experimental' };
    const r = validateConfig(
      doc({
        s: { state: 'ENABLED', variants: { a: 'x', b: '' }, defaultVariant: 'a', metadata: exp },
        s0: { state: 'ENABLED', variants: { a: 'x', b: '' }, defaultVariant: 'b', metadata: exp },
        n0: { state: 'ENABLED', variants: { a: 0, b: 1.5 }, defaultVariant: 'a', metadata: exp },
        o: { state: 'ENABLED', variants: { a: { k: 1 }, b: {} }, defaultVariant: 'a', metadata: exp },
        o0: { state: 'ENABLED', variants: { a: { k: 1 }, b: {} }, defaultVariant: 'b', metadata: exp },
      }),
    );
    expect(paths(r.warnings)).toEqual(['/flags/o/defaultVariant', '/flags/s/defaultVariant']);
  });

  it('a category warning caused by an overlay that does not set defaultVariant is located at the overlay', () => {
    const r = validateConfig(
      doc({
        exp: bool({
          state: 'DISABLED',
          defaultVariant: 'on',
          metadata: { category: 'experimental' },
          environments: { development: { state: 'ENABLED' } },
        }),
        crit: bool({
          defaultVariant: 'on',
          metadata: { category: 'critical' },
          environments: { production: { variants: { on: false } } },
        }),
      }),
    );
    expect(r.ok).toBe(true);
    expect(r.warnings).toEqual([
      { path: '/flags/exp/environments/development', message: 'experimental flag defaults to a truthy variant "on"' },
      { path: '/flags/crit/environments/production', message: 'critical flag defaults to a falsy variant "on"' },
    ]);
  });

  it('a category warning of the base flag is not repeated for overlays that inherit it', () => {
    const r = validateConfig(
      doc({
        f: bool({
          defaultVariant: 'on',
          metadata: { category: 'experimental' },
          environments: { staging: { targeting: { if: [true, 'off'] } }, production: { defaultVariant: 'on' } },
        }),
      }),
    );
    expect(paths(r.warnings)).toEqual(['/flags/f/defaultVariant', '/flags/f/environments/production/defaultVariant']);
  });

  it('a critical flag that defaults to a falsy variant', () => {
    const r = validateConfig(doc({ f: bool({ defaultVariant: 'off', metadata: { category: 'critical' } }) }));
    expect(r.ok).toBe(true);
    expect(r.warnings).toEqual([{ path: '/flags/f/defaultVariant', message: 'critical flag defaults to a falsy variant "off"' }]);
  });

  it('no category warning for a disabled flag or a code-default flag', () => {
    const { defaultVariant: _, ...noDefault } = bool();
    const r = validateConfig(
      doc({
        d: bool({ state: 'DISABLED', defaultVariant: 'on', metadata: { category: 'experimental' } }),
        c: { ...noDefault, metadata: { category: 'critical' } },
        k: bool({ defaultVariant: 'on', metadata: { category: 'critical' } }),
      }),
    );
    expect(r.warnings).toEqual([]);
  });

  it('a targeting `if` that returns a variant the flag does not have', () => {
    const r = validateConfig(doc({ f: bool({ targeting: { if: [{ '==': [{ var: 'plan' }, 'pro'] }, 'enabled', { if: [true, 'on', 'of'] }] } }) }));
    expect(r.ok).toBe(true);
    expect(r.warnings.map((w) => w.path)).toEqual(['/flags/f/targeting', '/flags/f/targeting']);
    expect(r.warnings.map((w) => w.message).join('\n')).toMatch(/"enabled"[\s\S]*"of"/);
  });

  it('a targeting result that becomes a variant through an overlay is not warned about there', () => {
    const r = validateConfig(
      doc({
        f: bool({
          targeting: { if: [true, 'beta'] },
          environments: { staging: { variants: { beta: true } } },
        }),
      }),
    );
    expect(r.warnings).toEqual([{ path: '/flags/f/targeting', message: expect.stringContaining('"beta"') }]);
  });

  it('warnings are kept when there are errors too', () => {
    const r = validateConfig(doc({ a: bool({ defaultVariant: 'x' }), b: bool({ defaultVariant: 'on', metadata: { category: 'experimental' } }) }));
    expect(r.ok).toBe(false);
    expect(paths(r.errors)).toEqual(['/flags/a/defaultVariant']);
    expect(paths(r.warnings)).toEqual(['/flags/b/defaultVariant']);
  });
});

describe('validateConfig: result', () => {
  it('returns the parsed config when valid', () => {
    const input = doc({ f: bool() }, { metadata: { owner: 'team' } });
    const r = validateConfig(input);
    expect(r.ok).toBe(true);
    expect(r.config).toEqual(input);
  });

  it('escapes / and ~ in flag keys (RFC 6901)', () => {
    const r = validateConfig(doc({ 'a/b~c': bool({ defaultVariant: 'x' }) }));
    expect(paths(r.errors)).toEqual(['/flags/a~1b~0c/defaultVariant']);
  });
});
