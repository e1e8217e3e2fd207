import { describe, expect, it } from 'vitest';
import { firstProtoKey, firstTooDeep } from './json-depth';

describe('firstTooDeep', () => {
  it('counts the document as depth 0 and points at the first member beyond the limit', () => {
    expect(firstTooDeep({ a: { b: 1 } }, 2)).toBeNull();
    expect(firstTooDeep({ a: { b: { c: 1 } } }, 2)).toBe('/a/b/c');
    expect(firstTooDeep([[[]]], 2)).toBeNull(); // an empty container at the limit holds nothing too deep
    expect(firstTooDeep([[[0]]], 2)).toBe('/0/0/0');
    expect(firstTooDeep(1, 0)).toBeNull();
    expect(firstTooDeep({}, 0)).toBeNull();
    expect(firstTooDeep({ a: 1 }, 0)).toBe('/a');
  });

  it('finds the first too-deep value in document order and escapes the pointer', () => {
    const doc = { ok: { x: 1 }, 'a/b': { '~c': { d: 1 } }, later: { e: { f: 1 } } };
    expect(firstTooDeep(doc, 2)).toBe('/a~1b/~0c/d');
  });

  it('walks a million levels without recursion', () => {
    const text = '{"a":'.repeat(1_000_000) + '1' + '}'.repeat(1_000_000);
    expect(firstTooDeep(JSON.parse(text), 64)).toBe('/a'.repeat(65));
  });
});

describe('firstProtoKey', () => {
  it('finds an own "__proto__" key that JSON.parse created, at any depth', () => {
    expect(firstProtoKey(JSON.parse('{"a": [1, {"__proto__": {"x": 1}}]}'))).toBe('/a/1/__proto__');
    expect(firstProtoKey(JSON.parse('{"__proto__": 1}'))).toBe('/__proto__');
  });

  it('ignores other prototype names and the inherited accessor', () => {
    expect(firstProtoKey({ constructor: 1, toString: { hasOwnProperty: 2 } })).toBeNull();
    expect(firstProtoKey({ a: {} })).toBeNull();
  });
});

/** `depth` levels of arrays around `inner`: `[[[inner]]]`. */
function nestedArrays(depth: number, inner: unknown = 0): unknown {
  let v = inner;
  for (let i = 0; i < depth; i++) v = [v];
  return v;
}

describe('firstTooDeep, at the edges', () => {
  it('accepts scalars and values exactly at the limit', () => {
    for (const v of [null, true, 1, 'x']) expect(firstTooDeep(v, 0)).toBeNull();
    expect(firstTooDeep({}, 0)).toBeNull();
    expect(firstTooDeep([], 0)).toBeNull();
    // [[0]]: the 0 is at depth 2.
    expect(firstTooDeep(nestedArrays(2), 2)).toBeNull();
    expect(firstTooDeep({ a: { b: 1 } }, 2)).toBeNull();
  });

  it('reports the first value one level past the limit, with its JSON Pointer', () => {
    expect(firstTooDeep(nestedArrays(2), 1)).toBe('/0/0');
    expect(firstTooDeep({ a: { b: 1 } }, 1)).toBe('/a/b');
    expect(firstTooDeep({ a: 1 }, 0)).toBe('/a');
  });

  it('reports in document order: the first too-deep value, not a later or deeper one', () => {
    const doc = { x: 1, first: { y: [[1]] }, second: { z: [[[[1]]]] } };
    expect(firstTooDeep(doc, 2)).toBe('/first/y/0');
    expect(firstTooDeep([0, [1, [2, [3]]], [[[[4]]]]], 2)).toBe('/1/1/0');
  });

  it('escapes ~ and / in keys as RFC 6901 says', () => {
    expect(firstTooDeep({ 'a/b': { 'c~d': 1 } }, 1)).toBe('/a~1b/c~0d');
    expect(firstTooDeep({ '': { '': 1 } }, 1)).toBe('//');
  });

  it('walks own keys named like prototype members as ordinary keys', () => {
    const doc = JSON.parse('{"__proto__": {"constructor": {"toString": 1}}}') as unknown;
    expect(firstTooDeep(doc, 3)).toBeNull();
    expect(firstTooDeep(doc, 2)).toBe('/__proto__/constructor/toString');
  });

  it('handles nesting far past any call stack without throwing', () => {
    const deep = JSON.parse(`${'['.repeat(200_000)}${']'.repeat(200_000)}`) as unknown;
    expect(firstTooDeep(deep, 100)).toBe(`/${Array(101).fill('0').join('/')}`);
    const deepObject = JSON.parse(`${'{"a":'.repeat(100_000)}1${'}'.repeat(100_000)}`) as unknown;
    expect(firstTooDeep(deepObject, 5)).toBe('/a/a/a/a/a/a');
  });

  it('accepts wide documents within the limit', () => {
    const wide = { flags: Object.fromEntries(Array.from({ length: 5000 }, (_, i) => [`f${i}`, { variants: { on: true, off: [1, 2, { x: 3 }] } }])) };
    expect(firstTooDeep(wide, 6)).toBeNull();
    expect(firstTooDeep(wide, 5)).toBe('/flags/f0/variants/off/2/x');
  });
});
