import { constant, constantValue, isConstant } from '../compile';
import { type Compiled, LogicRuntimeError, type OperatorCompiler, type OperatorInput } from '../types';

type Cmp = (a: unknown, b: unknown) => boolean;

function nan(): never {
  throw new LogicRuntimeError('comparison of a non-numeric value');
}

/** json-logic-engine's `precoerceNumber`: NaN and objects cannot be compared numerically. */
function precoerce(v: unknown): unknown {
  if (Number.isNaN(v)) nan();
  if (!v) return v;
  if (typeof v === 'object') nan();
  return v;
}

const isStringish = (v: unknown): boolean => typeof v === 'string' || v === null;

/**
 * Loose comparison of two operands as json-logic-engine does it: two strings (or null) compare
 * as they are, anything else as numbers, and a non-numeric operand is an evaluation error.
 */
function loose(cmp: Cmp): Cmp {
  return (a, b) => {
    if (isStringish(a) && isStringish(b)) return cmp(a, b);
    if (Number.isNaN(+(precoerce(a) as number))) nan();
    if (Number.isNaN(+(precoerce(b) as number)) && a !== null) nan();
    return cmp(+(a as number), +(b as number));
  };
}

/**
 * The engine's own comparator, used for four or more operands: a pair of strings is compared as
 * strings and then also as numbers (so it throws), and strict operators also check numbers.
 */
function chain(cmp: Cmp, strict: boolean, parts: readonly Compiled[]): Compiled {
  return (d, st) => {
    let prev = parts[0]!(d, st);
    for (let i = 1; i < parts.length; i++) {
      const cur = parts[i]!(d, st);
      if (strict || (isStringish(cur) && isStringish(prev))) {
        if (!cmp(prev, cur)) return false;
      }
      if (Number.isNaN(+(precoerce(cur) as number)) && prev !== null) nan();
      if (i === 1 && Number.isNaN(+(precoerce(prev) as number))) nan();
      if (!cmp(+(prev as number), +(cur as number))) return false;
      prev = cur;
    }
    return true;
  };
}

/**
 * Two and three operands take the engine's optimised path (`a op b`, and `a op b && b op c` with
 * `c` evaluated only when needed); operands are prepared eagerly there, lazily beyond.
 */
function comparator(name: string, cmp: Cmp, strict: boolean): OperatorCompiler {
  const pair = strict ? cmp : loose(cmp);
  return (input) => {
    if (!Array.isArray(input.raw) || input.raw.length <= 1) {
      input.compileArgsLazy();
      return () => {
        throw new LogicRuntimeError(`invalid arguments for "${name}"`);
      };
    }
    if (input.raw.length > 3) return chain(cmp, strict, input.compileArgsLazy());
    const parts = input.compileArgs();
    if (parts.every(isConstant)) return foldNow(input, parts, pair);
    const [a, b, c] = parts as [Compiled, Compiled, Compiled | undefined];
    if (!c) return (d, st) => pair(a(d, st), b(d, st));
    return (d, st) => {
      const first = a(d, st);
      const mid = b(d, st);
      return pair(first, mid) && pair(mid, c(d, st));
    };
  };
}

/** Constant operands are compared while preparing, as the engine does, failures included. */
function foldNow(input: OperatorInput, parts: readonly Compiled[], pair: Cmp): Compiled {
  const [a, b, c] = parts.map(constantValue);
  try {
    return constant(pair(a, b) && (parts.length < 3 || pair(b, c)));
  } catch (err) {
    return input.defer((err as Error).message);
  }
}

/* eslint-disable eqeqeq */
export const comparisonOperators: Record<string, OperatorCompiler> = {
  '==': comparator('==', (a, b) => a == b, false),
  '!=': comparator('!=', (a, b) => a != b, false),
  '===': comparator('===', (a, b) => a === b, true),
  '!==': comparator('!==', (a, b) => a !== b, true),
  '<': comparator('<', (a, b) => (a as number) < (b as number), false),
  '<=': comparator('<=', (a, b) => (a as number) <= (b as number), false),
  '>': comparator('>', (a, b) => (a as number) > (b as number), false),
  '>=': comparator('>=', (a, b) => (a as number) >= (b as number), false),
};
