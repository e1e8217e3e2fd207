import { describe, expect, it } from 'vitest';
import { compileLogic, constantValue, isConstant } from './compile';
import { evaluator, run } from '../../../test/helpers/logic';
import { LogicCompileError, LogicRuntimeError } from './types';

const compile = (rule: unknown, evaluators: Record<string, unknown> = {}) => compileLogic(rule, { evaluators, flagKey: 'f' });

function compileError(rule: unknown, evaluators: Record<string, unknown> = {}): LogicCompileError {
  try {
    compile(rule, evaluators);
  } catch (err) {
    if (err instanceof LogicCompileError) return err;
    throw err;
  }
  throw new Error('expected a LogicCompileError');
}

describe('compileLogic: errors at compile time', () => {
  it('rejects an unknown operator with the JSON path of the node', () => {
    const err = compileError({ if: [{ nope: [1] }, 'a', 'b'] });
    expect(err.message).toContain('unknown operator "nope"');
    expect(err.path).toBe('/if/0');
    expect(compileError({ map: [{ var: 'xs' }, { and: [true, { 'a/b': 1 }] }] }).path).toBe('/map/1/and/1');
  });

  it('rejects unknown operators in operands that are never evaluated, as flagd-core validates them', () => {
    expect(compileError({ and: [false, { nope: 1 }] }).path).toBe('/and/1');
    expect(compileError({ filter: [[], true, { nope: 1 }] }).path).toBe('/filter/2');
    // Of an object with two keys, flagd-core validates the first key's operand only.
    expect(compileError({ var: { nope: 1 }, extra: 1 }).path).toBe('/var');
    expect(() => compile({ var: 'x', extra: { nope: 1 } })).not.toThrow();
  });

  it('rejects a $ref to an unknown evaluator', () => {
    const err = compileError({ and: [true, { $ref: 'missing' }] }, { known: true });
    expect(err.message).toContain('unknown evaluator "missing"');
    expect(err.path).toBe('/and/1');
    expect(compileError({ $ref: 'known', x: 1 }, { known: true }).message).toContain('"$ref" must be alone');
  });

  it('rejects cyclic $refs, with the path inside the evaluator that closes the cycle', () => {
    const evaluators = { a: { or: [{ var: 'x' }, { $ref: 'b' }] }, b: { $ref: 'a' } };
    const err = compileError({ $ref: 'a' }, evaluators);
    expect(err.message).toContain('cycle: a -> b -> a');
    expect(err.path).toBe('/$evaluators/b');
    expect(compileError({ $ref: 'self' }, { self: { '!': { $ref: 'self' } } }).path).toBe('/$evaluators/self/!');
  });

  it('resolves $refs inside evaluators whatever their declaration order', () => {
    // flagd-core leaves a $ref to an evaluator declared earlier unresolved (PARSE_ERROR); see the differential test.
    const helperFirst = { helper: { '==': [{ var: 'x' }, 1] }, rule: { '!': { $ref: 'helper' } } };
    const helperLast = { rule: { '!': { $ref: 'helper' } }, helper: { '==': [{ var: 'x' }, 1] } };
    for (const evaluators of [helperFirst, helperLast]) {
      expect(run({ $ref: 'rule' }, { x: 1 }, { evaluators })).toBe(false);
      expect(run({ $ref: 'rule' }, { x: 2 }, { evaluators })).toBe(true);
    }
  });
});

describe('compileLogic: constant folding', () => {
  it('folds expressions that do not read the context', () => {
    const folds: [unknown, unknown][] = [
      [{ '+': [1, 2] }, 3],
      [{ cat: ['a', { substr: ['xbc', 1] }] }, 'abc'],
      [{ map: [[1, 2], { '*': [{ var: '' }, 10] }] }, [10, 20]],
      [{ if: [true, 'x', { var: 'y' }] }, 'x'],
      [{ in: ['b', ['a', 'b']] }, true],
      [{ missing: [] }, []],
      [{ and: [false, { '/': [1, 0] }] }, false],
      [
        [1, { '-': [3] }],
        [1, -3],
      ],
    ];
    for (const [rule, value] of folds) {
      const fn = compile(rule);
      expect(isConstant(fn), JSON.stringify(rule)).toBe(true);
      expect(constantValue(fn)).toEqual(value);
    }
  });

  it('does not fold what reads the context, nor flagd operators', () => {
    for (const rule of [{ var: 'x' }, { missing: ['a'] }, { '+': [1, { var: 'x' }] }, { fractional: [['a', 1]] }, { sem_ver: ['1.0.0', '=', '1.0.0'] }]) {
      expect(isConstant(compile(rule)), JSON.stringify(rule)).toBe(false);
    }
  });

  it('turns a constant that fails into a rule that fails on every evaluation, not a compile error', () => {
    const fn = evaluator({ '/': [1, 0] });
    expect(() => fn({})).toThrow(LogicRuntimeError);
    expect(() => run({ if: [{ var: 'x' }, 'a', { max: [] }] }, { x: true })).toThrow(/max/);
  });

  it('turns an object with two keys into a rule that fails when it is reached', () => {
    expect(() => run({ var: 'x', extra: 1 }, { x: 1 })).toThrow(LogicRuntimeError);
    const lazy = evaluator({ or: [{ var: 'x' }, { cat: ['a'], extra: 1 }] });
    expect(lazy({ x: 'hit' })).toBe('hit');
    expect(() => lazy({})).toThrow(LogicRuntimeError);
  });
});
