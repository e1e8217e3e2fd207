import { describe, expect, it } from 'vitest';
import { run } from '../../../../test/helpers/logic';
import { LogicRuntimeError } from '../types';

describe('cat', () => {
  it('concatenates its operands, skipping null', () => {
    expect(run({ cat: [1, null, 'a', [1, 2], true] })).toBe('1a1,2true');
    expect(run({ cat: ['a', { var: 'x' }] }, {})).toBe('a');
    expect(run({ cat: 'abc' })).toBe('abc');
    expect(run({ cat: 5 })).toBe('5');
  });

  it('joins an array value given as its lone operand, and fails on a lone null', () => {
    expect(run({ cat: [{ var: 't' }] }, { t: ['a', null, 'b'] })).toBe('ab');
    expect(run({ cat: { var: 't' } }, { t: { a: 1 } })).toBe('[object Object]');
    expect(() => run({ cat: [{ var: 't' }] }, {})).toThrow(LogicRuntimeError);
    expect(() => run({ if: [{ var: 'x' }, 'y', { cat: [null] }] }, { x: true })).toThrow(LogicRuntimeError);
  });
});

describe('substr', () => {
  it('takes a start and an optional length; negatives count from the end', () => {
    expect(run({ substr: ['abcdef', 2] })).toBe('cdef');
    expect(run({ substr: ['abcdef', 1, 3] })).toBe('bcd');
    expect(run({ substr: ['abcdef', -2] })).toBe('ef');
    expect(run({ substr: ['abcdef', 1, -2] })).toBe('bcd');
    expect(run({ substr: ['abcdef', 10] })).toBe('');
  });

  it("follows String.prototype.substr's conversions", () => {
    expect(run({ substr: ['abcdef', 1.9, 2.9] })).toBe('bc');
    expect(run({ substr: ['abcdef', -1.5] })).toBe('f');
    expect(run({ substr: ['abcdef', 0, null] })).toBe('');
    expect(run({ substr: ['abcdef', '2', '2'] })).toBe('cd');
    expect(run({ substr: 'abc' })).toBe('abc');
  });

  it('needs a string', () => {
    expect(() => run({ substr: [{ var: 'n' }, 1] }, { n: 12345 })).toThrow(LogicRuntimeError);
    expect(() => run({ substr: [{ var: 'n' }, 1] }, {})).toThrow(LogicRuntimeError);
  });
});
