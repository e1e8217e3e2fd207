import { describe, expect, it } from 'vitest';
import { run } from '../../../../test/helpers/logic';
import { LogicRuntimeError } from '../types';

describe('map', () => {
  it('evaluates the body with each element as the scope', () => {
    expect(run({ map: [{ var: 'xs' }, { '*': [{ var: '' }, 2] }] }, { xs: [1, 2, 3] })).toEqual([2, 4, 6]);
    expect(run({ map: [{ var: 'people' }, { var: 'name' }] }, { people: [{ name: 'a' }, {}] })).toEqual(['a', null]);
    expect(run({ map: [{ var: 'xs' }, 'k'] }, { xs: [1, 2] })).toEqual(['k', 'k']);
  });

  it('treats a falsy selection as empty and fails on anything else that is not an array', () => {
    expect(run({ map: [{ var: 'xs' }, 1] }, {})).toEqual([]);
    expect(() => run({ map: [{ var: 'xs' }, 1] }, { xs: 'abc' })).toThrow(LogicRuntimeError);
    expect(() => run({ map: [{ var: 'xs' }, 1] }, { xs: { a: 1 } })).toThrow(LogicRuntimeError);
    expect(() => run({ map: { var: 'xs' } }, { xs: [[1], 1] })).toThrow(LogicRuntimeError);
  });

  it('does not let flagd operators run inside the body', () => {
    expect(() => run({ map: [{ var: 'xs' }, { starts_with: [{ var: '' }, 'a'] }] }, { xs: ['ab'] })).toThrow(LogicRuntimeError);
    expect(run({ map: [{ var: 'xs' }, { starts_with: [{ var: '' }, 'a'] }] }, { xs: [] })).toEqual([]);
  });
});

describe('filter', () => {
  it('keeps elements whose test is truthy', () => {
    expect(run({ filter: [{ var: 'xs' }, { '>': [{ var: '' }, 1] }] }, { xs: [0, 1, 2, 3] })).toEqual([2, 3]);
    expect(run({ filter: [{ var: 'xs' }, { var: '' }] }, { xs: [0, [], 'a', {}, [0]] })).toEqual(['a', [0]]);
  });

  it('with a constant test returns the selection itself (checked or not) or []', () => {
    expect(run({ filter: [{ var: 'xs' }, true] }, { xs: 'abc' })).toBe('abc');
    expect(run({ filter: [{ var: 'xs' }, true] }, {})).toBeNull();
    expect(run({ filter: [{ var: 'xs' }, 0] }, { xs: 'abc' })).toEqual([]);
    // Three operands take the general path, which needs an array.
    expect(() => run({ filter: [{ var: 'xs' }, true, 1] }, { xs: 'abc' })).toThrow(LogicRuntimeError);
  });

  it('fails on a flagd operator in its test', () => {
    expect(() => run({ filter: [{ var: 'vs' }, { sem_ver: [{ var: '' }, '>=', '2.0.0'] }] }, { vs: ['2.1.0'] })).toThrow(LogicRuntimeError);
  });
});

describe('reduce', () => {
  it('folds with accumulator and current, with or without an initial value', () => {
    const cat = { cat: [{ var: 'accumulator' }, { var: 'current' }] };
    expect(run({ reduce: [{ var: 'xs' }, cat, '>'] }, { xs: ['a', 'b'] })).toBe('>ab');
    expect(run({ reduce: [{ var: 'xs' }, cat] }, { xs: ['a', 'b'] })).toBe('ab');
    expect(() => run({ reduce: [{ var: 'xs' }, cat] }, { xs: [] })).toThrow();
    expect(run({ reduce: [{ var: 'xs' }, { max: [{ var: 'accumulator' }, { var: 'current' }] }, -1] }, { xs: [3, 7, 2] })).toBe(7);
  });

  it('sums or multiplies the whole selection for the + and * patterns, as the engine rewrites them', () => {
    const sum = { '+': [{ var: 'current' }, { var: 'accumulator' }] };
    const product = { '*': [{ var: 'accumulator' }, { var: 'current' }] };
    expect(run({ reduce: [{ var: 'xs' }, sum, 10] }, { xs: [1, 2, 3] })).toBe(16);
    expect(run({ reduce: [{ var: 'xs' }, sum] }, { xs: [] })).toBe(0);
    expect(run({ reduce: [{ var: 'xs' }, sum] }, { xs: '5' })).toBe(5);
    expect(() => run({ reduce: [{ var: 'xs' }, sum] }, { xs: ['a'] })).toThrow(LogicRuntimeError);
    expect(run({ reduce: [{ var: 'xs' }, product, 2] }, { xs: [3, 4] })).toBe(24);
    expect(run({ reduce: [{ var: 'xs' }, product] }, { xs: null })).toBe(0);
  });

  it('refuses accumulators that nest arrays or objects', () => {
    const collect = (item: unknown) => ({ merge: [{ var: 'accumulator' }, [item]] });
    expect(run({ reduce: [{ var: 'ps' }, collect({ var: 'current.n' }), []] }, { ps: [{ n: 1 }, { n: 2 }] })).toEqual([1, 2]);
    expect(() => run({ reduce: [{ var: 'ps' }, collect({ var: 'current' }), []] }, { ps: [{ n: 1 }] })).toThrow(LogicRuntimeError);
  });

  it('without a body fails on every evaluation', () => {
    expect(() => run({ if: [{ var: 'x' }, 'y', { reduce: [{ var: 'xs' }] }] }, { x: true })).toThrow(LogicRuntimeError);
  });
});

describe('all / some / none', () => {
  const gt0 = { '>': [{ var: '' }, 0] };

  it('test arrays element by element; all of [] is false', () => {
    expect(run({ all: [{ var: 'xs' }, gt0] }, { xs: [1, 2] })).toBe(true);
    expect(run({ all: [{ var: 'xs' }, gt0] }, { xs: [1, 0] })).toBe(false);
    expect(run({ all: [{ var: 'xs' }, gt0] }, { xs: [] })).toBe(false);
    expect(run({ some: [{ var: 'xs' }, gt0] }, { xs: [0, 3] })).toBe(true);
    expect(run({ some: [{ var: 'xs' }, gt0] }, {})).toBe(false);
    expect(run({ none: [{ var: 'xs' }, gt0] }, { xs: [0, -1] })).toBe(true);
  });

  it('walk strings by character and treat other scalars as having no elements', () => {
    const isB = { '==': [{ var: '' }, 'b'] };
    expect(run({ some: [{ var: 's' }, isB] }, { s: 'abc' })).toBe(true);
    expect(run({ none: [{ var: 's' }, isB] }, { s: 'abc' })).toBe(false);
    expect(run({ all: [{ var: 's' }, false] }, { s: 5 })).toBe(true);
    expect(run({ all: [{ var: 's' }, false] }, { s: {} })).toBe(true);
    expect(run({ some: [{ var: 's' }, true] }, { s: 5 })).toBe(false);
  });
});

describe('merge / in', () => {
  it('merge flattens one level', () => {
    expect(run({ merge: [[1, [2]], 3, { var: 'xs' }] }, { xs: ['a'] })).toEqual([1, [2], 3, 'a']);
    expect(run({ merge: { var: 'x' } }, { x: 5 })).toEqual([5]);
    expect(run({ merge: [] })).toEqual([]);
  });

  it('in tests array membership strictly, or a substring', () => {
    expect(run({ in: [{ var: 't' }, ['gold', 'premium']] }, { t: 'premium' })).toBe(true);
    expect(run({ in: [1, ['1']] })).toBe(false);
    expect(run({ in: ['@', { var: 'e' }] }, { e: 'a@b' })).toBe(true);
    expect(run({ in: [null, 'xnullx'] })).toBe(true);
    expect(run({ in: ['a', { var: 'none' }] }, {})).toBe(false);
    expect(run({ in: { var: 'pair' } }, { pair: ['a', ['a']] })).toBe(true);
    expect(() => run({ in: ['a', 5] })).toThrow(LogicRuntimeError);
  });
});
