import { describe, expect, it } from 'vitest';
import { closest, didYouMean, editDistance } from './suggest';

describe('did you mean', () => {
  it('measures typos, swaps included', () => {
    expect(editDistance('deploy', 'deploy')).toBe(0);
    expect(editDistance('delpoy', 'deploy')).toBe(1);
    expect(editDistance('stauts', 'status')).toBe(1);
    expect(editDistance('', 'abc')).toBe(3);
  });

  it('suggests the near miss, or a word the input starts, and nothing for a stranger', () => {
    const commands = ['deploy', 'status', 'rollback', 'promote', 'audit', 'keys'];
    expect(closest('delpoy', commands)).toBe('deploy');
    expect(closest('STATSU', commands)).toBe('status');
    expect(closest('roll', commands)).toBe('rollback');
    expect(closest('frobnicate', commands)).toBeNull();
    expect(closest('x', commands)).toBeNull();
    expect(didYouMean('envv', ['env', 'json'], '--')).toBe('; did you mean "--env"?');
    expect(didYouMean('zzz', ['env'])).toBe('');
  });
});
