import { describe, expect, it } from 'vitest';
import { evaluator, run } from '../../../../test/helpers/logic';
import { LogicRuntimeError } from '../types';

describe('if / ?:', () => {
  it('chooses by JSON Logic truthiness: empty arrays and objects are false, "0" is true', () => {
    const choose = (c: unknown) => run({ if: [{ var: 'c' }, 'y', 'n'] }, { c });
    expect([[], {}, 0, '', null, false].map(choose)).toEqual(['n', 'n', 'n', 'n', 'n', 'n']);
    expect([[0], { a: 1 }, '0', 'false', -1].map(choose)).toEqual(['y', 'y', 'y', 'y', 'y']);
    expect(run({ '?:': [{ var: 'x' }, 'y', 'n'] }, { x: 1 })).toBe('y');
  });

  it('handles every arity: else-if chains, a missing else, one operand and none', () => {
    const chain = evaluator({ if: [{ var: 'a' }, 'A', { var: 'b' }, 'B', 'C'] });
    expect([chain({ a: 1 }), chain({ b: 1 }), chain({})]).toEqual(['A', 'B', 'C']);
    expect(run({ if: [{ var: 'a' }, 'A'] }, {})).toBeNull();
    // Four operands are two condition/branch pairs and no else.
    expect(run({ if: [{ var: 'a' }, 'A', 'always', 'Z'] }, {})).toBe('Z');
    expect(run({ if: [{ var: 'v' }] }, { v: 'value' })).toBe('value');
    expect(run({ if: [] })).toBeNull();
  });

  it('fails when its argument is not a list', () => {
    expect(() => run({ if: { var: 'x' } }, { x: [1, 'a', 'b'] })).toThrow(LogicRuntimeError);
  });

  it('with three operands, fails when an untaken branch is a failing constant', () => {
    // The engine prepares all three operands before it evaluates the condition.
    const rule = { if: [{ var: 'x' }, 'y', { '/': [1, 0] }] };
    expect(() => run(rule, { x: true })).toThrow(LogicRuntimeError);
    // With five operands it prepares each as it reaches it.
    expect(run({ if: [{ var: 'x' }, 'y', false, { '/': [1, 0] }, 'n'] }, { x: true })).toBe('y');
    expect(() => run({ if: [{ var: 'x' }, 'y', true, { '/': [1, 0] }, 'n'] }, { x: false })).toThrow(LogicRuntimeError);
  });

  it('does not evaluate the data-dependent branch it does not take', () => {
    expect(run({ if: [{ var: 'x' }, 'y', { '/': [1, { var: 'zero' }] }] }, { x: true, zero: 0 })).toBe('y');
  });
});

describe('and / or', () => {
  it('return the deciding operand itself', () => {
    expect(run({ and: [1, 'a', 0, 2] })).toBe(0);
    expect(run({ and: [1, 'a'] })).toBe('a');
    expect(run({ or: [0, '', [], 'x', 'y'] })).toBe('x');
    expect(run({ or: [0, '', null] })).toBeNull();
    expect(run({ and: [] })).toBeNull();
    expect(run({ or: [] })).toBeNull();
  });

  it('short-circuit: later operands, even failing constants, are not evaluated', () => {
    expect(run({ and: [{ var: 'x' }, { '/': [1, 0] }] }, { x: false })).toBe(false);
    expect(() => run({ and: [{ var: 'x' }, { '/': [1, 0] }] }, { x: true })).toThrow(LogicRuntimeError);
    expect(run({ or: [{ var: 'x' }, { '/': [1, 0] }] }, { x: 'hit' })).toBe('hit');
  });

  it('fail when the argument is not a list', () => {
    expect(() => run({ or: { var: 'x' } }, { x: [1] })).toThrow(LogicRuntimeError);
    expect(() => run({ and: true })).toThrow(LogicRuntimeError);
  });
});

describe('! / !!', () => {
  it('negate or coerce truthiness', () => {
    expect(run({ '!': [{ var: 'x' }] }, { x: 0 })).toBe(true);
    expect(run({ '!!': [{ var: 'x' }] }, { x: 'a' })).toBe(true);
    expect(run({ '!!': { var: 'x' } }, { x: {} })).toBe(false);
    expect(run({ '!!': [{ var: 'x' }, 1] }, { x: 0 })).toBe(false);
  });

  it('look at the first element when the operand evaluates to an array', () => {
    // The engine unwraps a lone operand, then takes element 0 of an array value.
    expect(run({ '!': [{ var: 't' }] }, { t: [''] })).toBe(true);
    expect(run({ '!!': [{ var: 't' }] }, { t: [0, 1] })).toBe(false);
    expect(run({ '!': { var: 't' } }, { t: ['a'] })).toBe(false);
    // A literal array operand is not unwrapped: the list holds the array itself.
    expect(run({ '!': [[]] })).toBe(true);
    expect(run({ '!': [[0]] })).toBe(false);
  });
});
