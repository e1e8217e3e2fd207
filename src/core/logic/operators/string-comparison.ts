import type { Compiled, OperatorCompiler } from '../types';
import { evaluatedArgs } from './evaluated-args';

/**
 * flagd's `starts_with` / `ends_with`: `[value, affix]`, both strings.
 * Anything else yields null (not false), so the flag falls back to its default variant.
 */
function affixOperator(test: (value: string, affix: string) => boolean): OperatorCompiler {
  return (input) => {
    if (!Array.isArray(input.raw)) {
      const args = evaluatedArgs(input);
      return (d, st) => {
        const v = args(d, st);
        return Array.isArray(v) && v.length === 2 && typeof v[0] === 'string' && typeof v[1] === 'string'
          ? test(v[0], v[1])
          : null;
      };
    }
    if (input.raw.length !== 2) return () => null;
    const [value, affix] = input.compileArgs() as [Compiled, Compiled];
    return (d, st) => {
      const v = value(d, st);
      const a = affix(d, st);
      return typeof v === 'string' && typeof a === 'string' ? test(v, a) : null;
    };
  };
}

export const stringComparisonOperators: Record<string, OperatorCompiler> = {
  starts_with: affixOperator((v, a) => v.startsWith(a)),
  ends_with: affixOperator((v, a) => v.endsWith(a)),
};

