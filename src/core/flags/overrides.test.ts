import { describe, expect, it } from 'vitest';
import { applyOverrides } from './overrides';

const flag = (extra: string) => JSON.parse(`{"state":"ENABLED","defaultVariant":"off","variants":{"on":true,"off":false}${extra}}`) as unknown;

describe('applyOverrides', () => {
  it('forces a valid flag to its variant, with override metadata', () => {
    const { set, ignored } = applyOverrides({ flags: { a: flag('') } }, { a: 'on' });
    expect(ignored).toEqual([]);
    expect(set.flags['a']).toEqual({ state: 'ENABLED', variants: { on: true, off: false }, defaultVariant: 'on', metadata: { override: true } });
  });

  it('ignores an overridden flag from KV that is nested 5,000 deep or carries "__proto__", without throwing or polluting; the others apply', () => {
    const deep = flag(`,"metadata":{"x":${'['.repeat(5000)}${']'.repeat(5000)}}`);
    const proto = flag(`,"metadata":{"__proto__":{"polluted":1}}`);
    const { set, ignored } = applyOverrides({ flags: { deep, proto, ok: flag('') } }, { deep: 'on', proto: 'on', ok: 'on' });
    expect(ignored).toEqual([
      { flag: 'deep', reason: 'the flag is invalid' },
      { flag: 'proto', reason: 'the flag is invalid' },
    ]);
    expect(set.flags['ok']).toMatchObject({ defaultVariant: 'on', metadata: { override: true } });
    // The refused flags stay as they were: the lazy compile answers PARSE_ERROR for them alone.
    expect(set.flags['deep']).toBe(deep);
    expect(({} as Record<string, unknown>)['polluted']).toBeUndefined();
  });

  it('ignores an override of a missing flag or variant', () => {
    const { ignored } = applyOverrides({ flags: { a: flag('') } }, { a: 'purple', b: 'on' });
    expect(ignored).toEqual([
      { flag: 'a', reason: 'no variant "purple"' },
      { flag: 'b', reason: 'no such flag' },
    ]);
  });
});
