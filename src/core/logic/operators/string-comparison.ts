import type { OperatorCompiler } from '../types';
import { argList } from './evaluated-args';
import { assertRoot } from './root-scope';

/**
 * flagd's `starts_with` / `ends_with`: `[value, affix]`, both strings.
 * Anything else yields null (not false), so the flag falls back to its default variant.
 */
function affixOperator(name: string, test: (value: string, affix: string) => boolean): OperatorCompiler {
  return (input) => {
    const args = argList(input);
    return (d, st) => {
      const v = args(d, st) as unknown[];
      assertRoot(d, st, name);
      return v.length === 2 && typeof v[0] === 'string' && typeof v[1] === 'string' ? test(v[0], v[1]) : null;
    };
  };
}

export const stringComparisonOperators: Record<string, OperatorCompiler> = {
  starts_with: affixOperator('starts_with', (v, a) => v.startsWith(a)),
  ends_with: affixOperator('ends_with', (v, a) => v.endsWith(a)),
};
