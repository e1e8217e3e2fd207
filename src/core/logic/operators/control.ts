import { constant } from '../compile';
import { truthy } from '../truthy';
import { type Compiled, LogicRuntimeError, type OperatorCompiler } from '../types';
import { evaluatedArgs } from './evaluated-args';

function invalid(op: string): Compiled {
  return () => {
    throw new LogicRuntimeError(`invalid arguments for "${op}"`);
  };
}

/** `if` / `?:`: condition, then, [condition, then, …] else. */
const ifOp: OperatorCompiler = (input) => {
  if (!Array.isArray(input.raw)) return invalid('if');
  const parts = input.compileArgs();
  if (parts.length === 0) return constant(null);
  if (parts.length === 1) return parts[0]!;
  if (parts.length % 2 === 0) parts.push(constant(null));
  if (parts.length === 3) {
    const [c, t, f] = parts as [Compiled, Compiled, Compiled];
    return (d, st) => (truthy(c(d, st)) ? t(d, st) : f(d, st));
  }
  const last = parts.length - 1;
  return (d, st) => {
    for (let i = 0; i < last; i += 2) {
      if (truthy(parts[i]!(d, st))) return parts[i + 1]!(d, st);
    }
    return parts[last]!(d, st);
  };
};

/** `and`: the first falsy value, or the last value. */
const andOp: OperatorCompiler = (input) => {
  if (!Array.isArray(input.raw)) return invalid('and');
  const parts = input.compileArgs();
  if (parts.length === 0) return constant(null);
  return (d, st) => {
    let item: unknown;
    for (const p of parts) {
      item = p(d, st);
      if (!truthy(item)) return item;
    }
    return item;
  };
};

/** `or`: the first truthy value, or the last value. */
const orOp: OperatorCompiler = (input) => {
  if (!Array.isArray(input.raw)) return invalid('or');
  const parts = input.compileArgs();
  if (parts.length === 0) return constant(null);
  return (d, st) => {
    let item: unknown;
    for (const p of parts) {
      item = p(d, st);
      if (truthy(item)) return item;
    }
    return item;
  };
};

/** `!`: logical not of the (first) argument. */
const notOp: OperatorCompiler = (input) => {
  const arg = evaluatedArgs(input);
  return (d, st) => {
    const v = arg(d, st);
    return !truthy(Array.isArray(v) ? v[0] : v);
  };
};

/** `!!`: truthiness of the (first) argument. */
const notNotOp: OperatorCompiler = (input) => {
  const arg = evaluatedArgs(input);
  return (d, st) => {
    const v = arg(d, st);
    return truthy(Array.isArray(v) ? v[0] : v);
  };
};

export const controlOperators: Record<string, OperatorCompiler> = {
  if: ifOp,
  '?:': ifOp,
  and: andOp,
  or: orOp,
  '!': notOp,
  '!!': notNotOp,
};
