import { constant, constantValue, isConstant } from '../compile';
import { truthy } from '../truthy';
import { type Compiled, LogicRuntimeError, type OperatorCompiler } from '../types';
import { unaryArg } from './evaluated-args';

function invalid(op: string): Compiled {
  return () => {
    throw new LogicRuntimeError(`invalid arguments for "${op}"`);
  };
}

/**
 * `if` / `?:`: condition, then, [condition, then, …] else. With exactly three operands the engine
 * prepares all of them up front (so a failing constant branch fails the rule) and a constant
 * condition selects its branch; otherwise operands are prepared as they are reached.
 */
const ifOp: OperatorCompiler = (input) => {
  if (!Array.isArray(input.raw)) {
    input.compileArgsLazy();
    return invalid('if');
  }
  if (input.raw.length === 3) {
    const [c, t, f] = input.compileArgs() as [Compiled, Compiled, Compiled];
    if (isConstant(c)) return truthy(constantValue(c)) ? t : f;
    return (d, st) => (truthy(c(d, st)) ? t(d, st) : f(d, st));
  }
  const parts = input.compileArgsLazy();
  if (parts.length === 0) return constant(null);
  if (parts.length === 1) return parts[0]!;
  if (parts.length % 2 === 0) parts.push(constant(null));
  const last = parts.length - 1;
  return (d, st) => {
    for (let i = 0; i < last; i += 2) {
      if (truthy(parts[i]!(d, st))) return parts[i + 1]!(d, st);
    }
    return parts[last]!(d, st);
  };
};

/** `and` / `or`: the first falsy (truthy) operand, or the last one; operands are evaluated lazily. */
function shortCircuit(name: string, stopOn: boolean): OperatorCompiler {
  return (input) => {
    if (!Array.isArray(input.raw)) {
      input.compileArgsLazy();
      return invalid(name);
    }
    const parts = input.compileArgsLazy();
    if (parts.length === 0) return constant(null);
    return (d, st) => {
      let item: unknown;
      for (const p of parts) {
        item = p(d, st);
        if (truthy(item) === stopOn) return item;
      }
      return item;
    };
  };
}

/** `!` / `!!`: of the operand, or of the first element when the operand is an array (the engine unwraps it). */
function negation(keep: boolean): OperatorCompiler {
  return (input) => {
    const arg = unaryArg(input);
    return (d, st) => {
      const v = arg(d, st);
      return truthy(Array.isArray(v) ? v[0] : v) === keep;
    };
  };
}

export const controlOperators: Record<string, OperatorCompiler> = {
  if: ifOp,
  '?:': ifOp,
  and: shortCircuit('and', false),
  or: shortCircuit('or', true),
  '!': negation(false),
  '!!': negation(true),
};
