import { describe, expect, it } from 'vitest';
import { run } from '../../../../test/helpers/logic';
import { LogicRuntimeError } from '../types';

const cmp = (op: string, ...args: unknown[]) => run({ [op]: args });

describe('loose comparison (==, !=, <, <=, >, >=)', () => {
  it('compares two strings (or null) as strings, anything else as numbers', () => {
    expect(cmp('==', 1, '1')).toBe(true);
    expect(cmp('==', true, '1')).toBe(true);
    expect(cmp('<', 'a', 'b')).toBe(true);
    expect(cmp('<', '10', '9')).toBe(true);
    expect(cmp('<', '10', 9)).toBe(false);
    expect(cmp('!=', 1, '2')).toBe(true);
    // null takes part in numbers as 0, unlike JavaScript's ==.
    expect(cmp('==', null, 0)).toBe(true);
    expect(cmp('<', null, 1)).toBe(true);
    expect(cmp('==', null, '')).toBe(false);
    expect(cmp('<', null, 'abc')).toBe(false);
  });

  it('fails on a non-numeric string against a number, and on objects and arrays', () => {
    expect(() => cmp('<', 'abc', 1)).toThrow(LogicRuntimeError);
    expect(() => cmp('<', 1, 'abc')).toThrow(LogicRuntimeError);
    expect(() => cmp('==', [1], 1)).toThrow(LogicRuntimeError);
    expect(() => run({ '==': [{ var: 'o' }, 1] }, { o: {} })).toThrow(LogicRuntimeError);
    expect(() => run({ '>': [{ '-': [{ var: 'x' }] }, 0] }, { x: ['a'] })).toThrow(LogicRuntimeError);
  });

  it('chains three operands pairwise, evaluating the third only when needed', () => {
    expect(run({ '<': [0, { var: 'age' }, 65] }, { age: 30 })).toBe(true);
    expect(run({ '<': [0, { var: 'age' }, 65] }, { age: 70 })).toBe(false);
    expect(cmp('<=', 1, 1, 2)).toBe(true);
    expect(cmp('<', 'a', 'm', 'z')).toBe(true);
    expect(run({ '<': [{ var: 'x' }, 1, { '+': [{ var: 'bad' }] }] }, { x: 5, bad: {} })).toBe(false);
    expect(() => run({ '<': [{ var: 'x' }, 1, { '+': [{ var: 'bad' }] }] }, { x: 0, bad: {} })).toThrow(LogicRuntimeError);
  });

  it('with four or more operands, also compares strings as numbers, as the engine does', () => {
    expect(cmp('<', 1, 2, 3, 4)).toBe(true);
    expect(cmp('<', 1, 3, 2, 4)).toBe(false);
    expect(() => cmp('<', 'a', 'b', 'c', 'd')).toThrow(LogicRuntimeError);
  });

  it('needs at least two operands', () => {
    expect(() => run({ '==': [{ var: 'x' }] }, { x: 1 })).toThrow(LogicRuntimeError);
    expect(() => run({ '<': { var: 'x' } }, { x: [1, 2] })).toThrow(LogicRuntimeError);
  });

  it('fails a rule whose constant comparison fails, even in an untaken branch', () => {
    expect(() => run({ if: [{ var: 'x' }, { '>': ['a', 1] }, 'no'] }, { x: false })).toThrow(LogicRuntimeError);
  });
});

describe('strict comparison (===, !==)', () => {
  it('compares without coercion', () => {
    expect(cmp('===', 1, '1')).toBe(false);
    expect(cmp('!==', 1, '1')).toBe(true);
    expect(cmp('===', null, null)).toBe(true);
    expect(run({ '===': [{ var: 'o' }, { var: 'o' }] }, { o: {} })).toBe(true);
    expect(cmp('===', 'a', 'a', 'b')).toBe(false);
  });

  it('with four or more operands, also checks numbers, as the engine does', () => {
    expect(cmp('===', 1, 1, 1, 1)).toBe(true);
    expect(() => cmp('===', 'a', 'a', 'a', 'a')).toThrow(LogicRuntimeError);
  });
});
