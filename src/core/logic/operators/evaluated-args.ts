import { constant, constantValue, isConstant } from '../compile';
import type { Compiled, OperatorInput } from '../types';

/**
 * The evaluated arguments of an eager operator, always an array, as json-logic-engine passes
 * them: each item of a written array, `[value]` for a bare scalar, and the value of a bare
 * expression wrapped in an array unless it already is one.
 */
export function argList(input: OperatorInput): Compiled {
  if (Array.isArray(input.raw)) return list(input.compileArgs());
  if (input.raw === null || typeof input.raw !== 'object') return constant([input.raw]);
  const expr = input.compileArgs()[0]!;
  if (isConstant(expr)) return constant(wrap(constantValue(expr)));
  return (d, st) => wrap(expr(d, st));
}

/**
 * The evaluated argument of `+`, `-`, `!`, `!!` and `cat`, which json-logic-engine optimises as
 * unary: a lone operand (`[x]` with x not itself an array, or a bare `x`) is passed as its bare
 * value, so `{"+": [[1, 2]]}` and `{"+": [{"var": "list"}]}` differ.
 */
export function unaryArg(input: OperatorInput): Compiled {
  const raw = input.raw;
  if (!Array.isArray(raw)) return input.compileArgs()[0]!;
  if (raw.length === 1 && !Array.isArray(raw[0])) return input.compile(raw[0], 0);
  return list(input.compileArgs());
}

function wrap(v: unknown): unknown[] {
  return Array.isArray(v) ? v : [v];
}

function list(items: Compiled[]): Compiled {
  if (items.every(isConstant)) return constant(items.map(constantValue));
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
    const out = new Array<unknown>(n);
    for (let i = 0; i < n; i++) out[i] = items[i]!(d, st);
    return out;
  };
}
