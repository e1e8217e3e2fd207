import { LogicRuntimeError, type OperatorCompiler } from '../types';
import { argList, unaryArg } from './evaluated-args';

/**
 * `cat`: a string operand as it is, an array concatenated (null skipped), anything else by its
 * own `toString`, which fails for null, as in the engine.
 */
function concat(v: unknown): string {
  if (typeof v === 'string') return v;
  if (v === null || v === undefined) throw new LogicRuntimeError('"cat" of null');
  if (!Array.isArray(v)) return (v as { toString(): string }).toString();
  let out = '';
  for (const item of v) {
    // `+=` rather than String(): the engine's conversion, in case an object defines valueOf.
    if (item !== null && item !== undefined) out += item;
  }
  return out;
}

const cat: OperatorCompiler = (input) => {
  const arg = unaryArg(input);
  return (d, st) => concat(arg(d, st));
};

/**
 * `substr`: `[string, start, length?]`, with String.prototype.substr's own rounding and clamping;
 * a negative length drops characters from the end.
 */
const substr: OperatorCompiler = (input) => {
  const args = argList(input);
  return (d, st) => {
    const [s, from, len] = args(d, st) as [unknown, number, number];
    if (typeof s !== 'string') throw new LogicRuntimeError('"substr" needs a string');
    if (len < 0) {
      const rest = s.substr(from);
      return rest.substr(0, rest.length + len);
    }
    return s.substr(from, len);
  };
};

export const stringOperators: Record<string, OperatorCompiler> = { cat, substr };
