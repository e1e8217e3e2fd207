import { describe, expect, it } from 'vitest';
import { run } from '../../../../test/helpers/logic';
import { LogicRuntimeError } from '../types';

describe('var', () => {
  it('reads a key, in the bare and the array form', () => {
    expect(run({ var: 'email' }, { email: 'a@b.c' })).toBe('a@b.c');
    expect(run({ var: ['email'] }, { email: 'a@b.c' })).toBe('a@b.c');
    expect(run({ var: 'email' }, {})).toBeNull();
  });

  it('uses the default only when the key is absent, not when it is null', () => {
    expect(run({ var: ['age', 18] }, {})).toBe(18);
    expect(run({ var: ['age', 18] }, { age: 30 })).toBe(30);
    expect(run({ var: ['age', 18] }, { age: null })).toBeNull();
    expect(run({ var: ['age', null] }, {})).toBeNull();
  });

  it('walks dotted paths through objects and arrays, with escaped dots', () => {
    const ctx = { user: { name: 'ann', tags: ['a', 'b'] }, 'odd.key': 7 };
    expect(run({ var: 'user.name' }, ctx)).toBe('ann');
    expect(run({ var: 'user.tags.1' }, ctx)).toBe('b');
    expect(run({ var: 'user.tags.length' }, ctx)).toBe(2);
    expect(run({ var: ['user.missing', 'x'] }, ctx)).toBe('x');
    expect(run({ var: 'odd\\.key' }, ctx)).toBe(7);
  });

  it('returns a falsy step of a two- or three-part literal path, as the engine does', () => {
    // json-logic-engine evaluates `data.a && data.a.b` for these paths.
    expect(run({ var: 'user.name' }, { user: 0 })).toBe(0);
    expect(run({ var: 'user.name' }, { user: '' })).toBe('');
    expect(run({ var: 'a.b.c' }, { a: { b: false } })).toBe(false);
    // With a default, or four parts, the path is walked and the default (null) applies.
    expect(run({ var: ['user.name', 'd'] }, { user: 0 })).toBe('d');
    expect(run({ var: 'a.b.c.d' }, { a: { b: { c: 0 } } })).toBeNull();
  });

  it('reads functions reached through prototypes as null', () => {
    expect(run({ var: 'email.toString' }, { email: 'x' })).toBeNull();
    expect(run({ var: ['email.toString', 'd'] }, { email: 'x' })).toBeNull();
    expect(run({ var: 'constructor' }, {})).toBeNull();
  });

  it('reads only own properties: nothing through a prototype, in any path form', () => {
    // json-logic-engine gives "Object" and Object.prototype for some of these.
    const paths = [
      'constructor.name',
      'a.constructor.name',
      'a.b.constructor.name',
      'a.b.c.constructor.name',
      '__proto__',
      'a.__proto__',
      'a.b.__proto__',
      '$flagd.__proto__',
      '$flagd.constructor.name',
    ];
    const ctx = { a: { b: { c: {} } } };
    for (const path of paths) {
      expect(run({ var: path }, ctx), path).toBeNull();
      expect(run({ var: [path] }, ctx), path).toBeNull();
      expect(run({ var: [{ cat: [path] }] }, ctx), path).toBeNull();
    }
    expect(run({ missing: ['constructor', 'x'] }, {})).toEqual(['x']); // found, as in the engine (it reads a function)
  });

  it('reads context attributes named after prototype members when the caller sends them', () => {
    const ctx = JSON.parse('{"constructor": "c", "toString": "t", "__proto__": {"x": 1}, "user": {"hasOwnProperty": "h", "valueOf": 0}}');
    expect(run({ var: 'constructor' }, ctx)).toBe('c');
    expect(run({ var: 'toString' }, ctx)).toBe('t');
    expect(run({ var: '__proto__.x' }, ctx)).toBe(1);
    expect(run({ var: 'user.hasOwnProperty' }, ctx)).toBe('h');
    expect(run({ var: ['user.valueOf', 9] }, ctx)).toBe(0);
    expect(run({ var: [{ cat: ['constr', 'uctor'] }] }, ctx)).toBe('c');
  });

  it('returns the whole context, enriched with $flagd, for an empty key and for the key 0', () => {
    const ctx = { a: 1 };
    const flagd = { flagKey: 'my-flag', timestamp: 1700 };
    for (const key of ['', null, [], 0]) {
      expect(run({ var: key }, ctx, { flagKey: 'my-flag', timestamp: 1700 })).toEqual({ a: 1, $flagd: flagd });
    }
    // In the array form with a default, 0 is an ordinary key.
    expect(run({ var: [0, 'd'] }, { 0: 'zero' })).toBe('zero');
  });

  it('resolves $flagd properties at the root, overriding a caller-supplied $flagd', () => {
    const ctx = { $flagd: { flagKey: 'spoofed' } };
    expect(run({ var: '$flagd.flagKey' }, ctx, { flagKey: 'real' })).toBe('real');
    expect(run({ var: '$flagd.timestamp' }, ctx, { timestamp: 42 })).toBe(42);
    expect(run({ var: '$flagd' }, ctx, { flagKey: 'real', timestamp: 42 })).toEqual({ flagKey: 'real', timestamp: 42 });
  });

  it('reads $flagd from the element, not the root, inside an iterator', () => {
    expect(run({ map: [{ var: 'items' }, { var: '$flagd.flagKey' }] }, { items: [{ $flagd: { flagKey: 'el' } }, {}] })).toEqual(['el', null]);
  });

  it('accepts computed keys, including a computed [key, default] pair', () => {
    expect(run({ var: { cat: ['user', '.name'] } }, { user: { name: 'ann' } })).toBe('ann');
    expect(run({ var: { var: 'which' } }, { which: 'b', b: 2 })).toBe(2);
    expect(run({ var: { var: 'which' } }, { which: ['nope', 'fallback'] })).toBe('fallback');
    expect(run({ var: [{ var: 'which' }, 'd'] }, { which: 'nope' })).toBe('d');
  });

  it('fails on every evaluation for a key of true, which the engine cannot prepare', () => {
    expect(() => run({ var: true }, { true: 1 })).toThrow(LogicRuntimeError);
  });
});

describe('missing', () => {
  it('lists absent keys and paths, treating a falsy step as absent', () => {
    const ctx = { a: 0, b: { c: '' }, d: null };
    expect(run({ missing: ['a', 'b.c', 'd', 'e', 'a.x', 'b.c.z'] }, ctx)).toEqual(['e', 'a.x', 'b.c.z']);
    expect(run({ missing: [] }, ctx)).toEqual([]);
  });

  it('takes a bare key as a one-element list, and a computed list', () => {
    expect(run({ missing: 'email' }, {})).toEqual(['email']);
    expect(run({ missing: 'email' }, { email: 'x' })).toEqual([]);
    expect(run({ missing: { var: 'keys' } }, { keys: ['a', 'b'], a: 1 })).toEqual(['b']);
    expect(run({ missing: { var: 'keys' } }, { keys: 'a' })).toEqual(['a']);
  });

  it('sees the $flagd enrichment at the root', () => {
    expect(run({ missing: ['$flagd.flagKey', '$flagd.other'] }, {})).toEqual(['$flagd.other']);
  });
});

describe('missing_some', () => {
  it('returns [] when enough keys are present, else the missing ones', () => {
    const rule = (need: number) => ({ missing_some: [need, ['a', 'b', 'c']] });
    expect(run(rule(1), { a: 1 })).toEqual([]);
    expect(run(rule(2), { a: 1 })).toEqual(['b', 'c']);
    expect(run(rule(0), {})).toEqual([]);
  });

  it('fails without a list of keys', () => {
    expect(() => run({ missing_some: [1, { var: 'nope' }] }, {})).toThrow();
  });
});
