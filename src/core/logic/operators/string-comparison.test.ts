import { describe, expect, it } from 'vitest';
import { run } from '../../../../test/helpers/logic';
import { LogicRuntimeError } from '../types';

describe('starts_with / ends_with', () => {
  it('test a prefix or a suffix', () => {
    expect(run({ starts_with: [{ var: 'id' }, 'abc'] }, { id: 'abcdef' })).toBe(true);
    expect(run({ starts_with: [{ var: 'id' }, 'abc'] }, { id: 'xabc' })).toBe(false);
    expect(run({ ends_with: [{ var: 'email' }, '@example.com'] }, { email: 'a@example.com' })).toBe(true);
    expect(run({ ends_with: [{ var: 'email' }, '@example.com'] }, { email: 'a@example.org' })).toBe(false);
    expect(run({ starts_with: [{ var: 'id' }, ''] }, { id: 'x' })).toBe(true);
  });

  it('yield null, not false, for non-strings and the wrong number of operands', () => {
    expect(run({ starts_with: [{ var: 'n' }, 'a'] }, { n: 123 })).toBeNull();
    expect(run({ ends_with: [{ var: 'n' }, 'a'] }, {})).toBeNull();
    expect(run({ starts_with: ['abc', 1] })).toBeNull();
    expect(run({ starts_with: ['abc'] })).toBeNull();
    expect(run({ ends_with: ['abc', 'c', 'c'] })).toBeNull();
  });

  it('take a computed operand list', () => {
    expect(run({ ends_with: { var: 'pair' } }, { pair: ['hello', 'lo'] })).toBe(true);
    expect(run({ ends_with: { var: 'pair' } }, { pair: 'hello' })).toBeNull();
  });

  it('fail inside an iterator body, where flagd-core has no logger', () => {
    expect(() => run({ some: [{ var: 'ids' }, { starts_with: [{ var: '' }, 'a'] }] }, { ids: ['ab'] })).toThrow(LogicRuntimeError);
  });
});
