import type { Compiled, OperatorInput } from '../types';

/**
 * The evaluated argument of an eager operator, as json-logic-engine passes it:
 * an array of evaluated items when the raw argument is an array, else the evaluated value.
 */
export function evaluatedArgs(input: OperatorInput): Compiled {
  if (Array.isArray(input.raw)) {
    const items = input.compileArgs();
    const n = items.length;
    if (n === 1) {
      const a = items[0]!;
      return (d, st) => [a(d, st)];
    }
    if (n === 2) {
      const a = items[0]!;
      const b = items[1]!;
      return (d, st) => [a(d, st), b(d, st)];
    }
    return (d, st) => {
      const out = new Array(n);
      for (let i = 0; i < n; i++) out[i] = items[i]!(d, st);
      return out;
    };
  }
  return input.compile(input.raw, 0);
}
