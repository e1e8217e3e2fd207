import { describe, expect, it } from 'vitest';
import { evaluator, run } from '../../../../test/helpers/logic';
import { LogicRuntimeError } from '../types';

const semver = (left: unknown, op: unknown, right: unknown) => run({ sem_ver: [{ var: 'v' }, op, right] }, { v: left });

describe('sem_ver', () => {
  it('implements every operator', () => {
    const table: [string, string, string, boolean][] = [
      ['1.2.3', '=', '1.2.3', true],
      ['1.2.3', '=', '1.2.4', false],
      ['1.2.3', '!=', '1.2.4', true],
      ['1.2.3', '<', '1.10.0', true],
      ['1.2.3', '<=', '1.2.3', true],
      ['2.0.0', '>', '1.99.99', true],
      ['2.0.0', '>=', '2.0.1', false],
      ['1.9.0', '^', '1.0.0', true],
      ['2.0.0', '^', '1.0.0', false],
      ['1.2.9', '~', '1.2.0', true],
      ['1.3.0', '~', '1.2.0', false],
    ];
    for (const [a, op, b, expected] of table) expect(semver(a, op, b), `${a} ${op} ${b}`).toBe(expected);
  });

  it('orders prereleases below releases and ignores build metadata', () => {
    expect(semver('2.0.0-beta.2', '<', '2.0.0')).toBe(true);
    expect(semver('2.0.0-beta.2', '<', '2.0.0-beta.10')).toBe(true);
    expect(semver('2.0.0-alpha', '<', '2.0.0-beta')).toBe(true);
    expect(semver('1.0.0+build.7', '=', '1.0.0')).toBe(true);
  });

  it('reads v-prefixed, partial and numeric versions', () => {
    expect(semver('v1.2.3', '=', 'V1.2.3')).toBe(true);
    expect(semver('1.2', '=', '1.2.0')).toBe(true);
    expect(semver(2, '=', '2.0.0')).toBe(true);
    expect(semver(1.5, '>', '1.4.9')).toBe(true);
  });

  it('yields null for unparseable versions, unknown operators and wrong arity', () => {
    expect(semver('banana', '=', '1.0.0')).toBeNull();
    expect(semver('1.2.3.4', '>', '1.0.0')).toBeNull();
    expect(semver('1.0.0', '==', '1.0.0')).toBeNull();
    expect(semver(null, '=', '1.0.0')).toBeNull();
    expect(semver('1.0.0', '=', 'nope')).toBeNull();
    expect(run({ sem_ver: [{ var: 'v' }, '='] }, { v: '1.0.0' })).toBeNull();
  });

  it('takes computed operands, including a whole computed argument list', () => {
    const rule = evaluator({ sem_ver: [{ var: 'v' }, { var: 'op' }, { var: 'min' }] });
    expect(rule({ v: '3.1.0', op: '>=', min: '3.0.0' })).toBe(true);
    expect(rule({ v: '3.1.0', op: '<', min: '3.0.0' })).toBe(false);
    expect(run({ sem_ver: { var: 'args' } }, { args: ['1.0.0', '<', '1.0.1'] })).toBe(true);
  });

  it('fails inside an iterator body', () => {
    expect(() => run({ some: [{ var: 'vs' }, { sem_ver: [{ var: '' }, '>', '1.0.0'] }] }, { vs: ['2.0.0'] })).toThrow(LogicRuntimeError);
  });
});
