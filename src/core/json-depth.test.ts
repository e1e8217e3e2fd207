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
