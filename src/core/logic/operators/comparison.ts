import { LogicRuntimeError, type OperatorCompiler, type Compiled } from '../types';

type Cmp = (a: unknown, b: unknown) => boolean;

function nan(): never {
  throw new LogicRuntimeError('comparison of a non-numeric value');
}

/** json-logic-engine's pre-coercion: objects and NaN cannot be compared numerically. */
function numeric(v: unknown): number {
  if (typeof v === 'number') {
    if (Number.isNaN(v)) nan();
    return v;
  }
  if (v && typeof v === 'object') nan();
  return +(v as number);
}

const isStringish = (v: unknown): boolean => typeof v === 'string' || v === null;

/**
 * Loose comparison as json-logic-engine does it: two strings (or null) compare as they are,
 * anything else compares as numbers, and a non-numeric operand is an evaluation error.
 */
function looseCompare(cmp: Cmp, a: unknown, b: unknown): boolean {
  if (isStringish(a) && isStringish(b)) return cmp(a, b);
  if (typeof a === 'number' && typeof b === 'number') return cmp(a, b);
  const na = numeric(a);
  if (Number.isNaN(na)) nan();
  const nb = numeric(b);
  if (Number.isNaN(nb) && a !== null) nan();
  return cmp(na, nb);
}

function comparator(name: string, cmp: Cmp, strict: boolean): OperatorCompiler {
  return (input) => {
    if (!Array.isArray(input.raw) || input.raw.length <= 1) {
      return () => {
        throw new LogicRuntimeError(`invalid arguments for "${name}"`);
      };
    }
    const parts = input.compileArgs();
    if (parts.length === 2) {
      const [fa, fb] = parts as [Compiled, Compiled];
      if (strict) return (d, st) => cmp(fa(d, st), fb(d, st));
      return (d, st) => looseCompare(cmp, fa(d, st), fb(d, st));
    }
    return (d, st) => {
      let prev = parts[0]!(d, st);
      for (let i = 1; i < parts.length; i++) {
        const cur = parts[i]!(d, st);
        if (strict || (isStringish(prev) && isStringish(cur))) {
          if (!cmp(prev, cur)) return false;
        }
        if (!strict) {
          if (Number.isNaN(numeric(cur)) && prev !== null) nan();
          if (i === 1 && Number.isNaN(numeric(prev))) nan();
          if (!cmp(+(prev as number), +(cur as number))) return false;
        }
        prev = cur;
      }
      return true;
    };
  };
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
