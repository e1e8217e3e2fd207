import { describe, expect, it } from 'vitest';
import { run } from '../../../../test/helpers/logic';
import { LogicRuntimeError } from '../types';

describe('+', () => {
  it('adds numbers and numeric strings, and converts a lone operand', () => {
    expect(run({ '+': [1, '2', true] })).toBe(4);
    expect(run({ '+': '2' })).toBe(2);
    expect(run({ '+': [] })).toBe(0);
    expect(run({ '+': [{ var: 'x' }] }, { x: null })).toBe(0);
  });

  it('sums an array value given as its lone operand, but not a literal array in a list', () => {
    expect(run({ '+': [{ var: 'xs' }] }, { xs: [1, 2, 3] })).toBe(6);
    expect(run({ '+': { var: 'xs' } }, { xs: ['1', 2] })).toBe(3);
    expect(() => run({ '+': [[1, 2]] })).toThrow(LogicRuntimeError);
  });

  it('fails on non-numeric strings and on objects instead of returning NaN', () => {
    expect(() => run({ '+': [{ var: 'x' }, 1] }, { x: 'abc' })).toThrow(LogicRuntimeError);
    expect(() => run({ '+': { var: 'x' } }, { x: 'abc' })).toThrow(LogicRuntimeError);
    expect(() => run({ '+': { var: 'x' } }, { x: { a: 1 } })).toThrow(LogicRuntimeError);
  });
});

describe('-', () => {
  it('subtracts, and negates a lone operand', () => {
    expect(run({ '-': [10, '3', 2] })).toBe(5);
    expect(run({ '-': [5] })).toBe(-5);
    expect(run({ '-': { var: 'x' } }, { x: '4' })).toBe(-4);
    expect(run({ '-': { var: 'x' } }, { x: '' })).toBe(0);
  });

  it('negates the single element of an array value without checking it (NaN), as the engine does', () => {
    expect(run({ '-': [{ var: 'x' }] }, { x: ['a'] })).toBeNaN();
    expect(run({ '-': [{ var: 'x' }] }, { x: [2] })).toBe(-2);
    expect(() => run({ '-': [{ var: 'x' }] }, { x: [] })).toThrow(LogicRuntimeError);
    expect(() => run({ '-': [{ var: 'x' }, 1] }, { x: 'a' })).toThrow(LogicRuntimeError);
  });
});

describe('*, /, %', () => {
  it('multiply, with a bare operand and an empty list', () => {
    expect(run({ '*': [2, '3'] })).toBe(6);
    expect(run({ '*': 3 })).toBe(3);
    expect(run({ '*': [] })).toBe(1);
    expect(run({ '*': { var: 'xs' } }, { xs: [2, 5] })).toBe(10);
    expect(() => run({ '*': [2, 'x'] })).toThrow(LogicRuntimeError);
  });

  it('divide, inverting a lone operand and refusing zero', () => {
    expect(run({ '/': [9, 2] })).toBe(4.5);
    expect(run({ '/': [4] })).toBe(0.25);
    expect(() => run({ '/': [1, { var: 'z' }] }, { z: 0 })).toThrow(LogicRuntimeError);
    expect(() => run({ '/': [1, { var: 'z' }] }, { z: null })).toThrow(LogicRuntimeError);
    expect(() => run({ '/': [] })).toThrow(LogicRuntimeError);
  });

  it('take a remainder with JavaScript signs, needing two operands', () => {
    expect(run({ '%': [7, 3] })).toBe(1);
    expect(run({ '%': [-7, 3] })).toBe(-1);
    expect(() => run({ '%': [{ var: 'x' }] }, { x: 7 })).toThrow(LogicRuntimeError);
    expect(() => run({ '%': [7, 0] })).toThrow(LogicRuntimeError);
  });
});

describe('max / min', () => {
  it('pick among numbers, from a list or an array value', () => {
    expect(run({ max: [1, 9, 3] })).toBe(9);
    expect(run({ min: [{ var: 'a' }, 2] }, { a: -1 })).toBe(-1);
    expect(run({ max: { var: 's' } }, { s: [4, 8] })).toBe(8);
    expect(run({ min: { var: 's' } }, { s: 4 })).toBe(4);
  });

  it('accept numbers only, and at least one', () => {
    expect(() => run({ max: [1, '2'] })).toThrow(LogicRuntimeError);
    expect(() => run({ min: [{ var: 'x' }] }, { x: null })).toThrow(LogicRuntimeError);
    expect(() => run({ max: [{ var: 'x' }] }, { x: [] })).toThrow(LogicRuntimeError);
  });
});
