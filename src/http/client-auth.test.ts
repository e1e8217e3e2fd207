import { describe, expect, it } from 'vitest';
import type { LoadedSnapshot } from '../store/loaded-snapshot';
import { findClientKey } from './client-auth';

const h = (c: string) => c.repeat(64);
const snap = (environment: string, keys: Array<[string, number]>): LoadedSnapshot =>
  ({
    environment,
    keyHashes: keys.map(([hash]) => hash),
    keyScopes: keys.map(([, s]) => s),
    keyIds: keys.map(([hash]) => `${environment}:${hash[0]}`),
  }) as unknown as LoadedSnapshot;

describe('findClientKey', () => {
  it('finds the environment and the index of the matching key among every environment', () => {
    const dev = snap('development', [[h('a'), 1]]);
    const prod = snap('production', [
      [h('b'), 1],
      [h('c'), 2],
    ]);
    expect(findClientKey(h('c'), [dev, undefined, prod])).toEqual({ snapshot: prod, index: 1 });
    expect(findClientKey(h('a'), [dev, prod])).toEqual({ snapshot: dev, index: 0 });
    expect(findClientKey(h('d'), [dev, prod])).toBeUndefined();
  });

  it('the first match wins when a hash is listed twice', () => {
    const one = snap('one', [[h('e'), 2]]);
    const two = snap('two', [[h('e'), 1]]);
    expect(findClientKey(h('e'), [one, two])).toEqual({ snapshot: one, index: 0 });
  });
});
