import { constant, constantValue, isConstant } from '../compile';
import { LogicRuntimeError, type OperatorCompiler } from '../types';
import { evaluatedArgs } from './evaluated-args';

/** `cat`: concatenates its arguments as strings, skipping null. */
const cat: OperatorCompiler = (input) => {
  if (!Array.isArray(input.raw)) {
    const arg = input.compile(input.raw, 0);
    return (d, st) => {
      const v = arg(d, st);
      if (typeof v === 'string') return v;
      if (v === null || v === undefined) throw new LogicRuntimeError('"cat" of null');
      return String(v);
    };
  }
  const parts = input.compileArgs();
  if (parts.every(isConstant)) return constant(join(parts.map(constantValue)));
  if (parts.length === 2) {
    const [a, b] = parts as [typeof parts[0], typeof parts[0]];
    return (d, st) => piece(a(d, st)) + piece(b(d, st));
  }
  return (d, st) => {
    let out = '';
    for (const p of parts) out += piece(p(d, st));
    return out;
  };
};

function piece(v: unknown): string {
  return v === null || v === undefined ? '' : String(v);
}

function join(values: unknown[]): string {
  return values.map(piece).join('');
}

/** `substr`: `[string, start, length?]`; a negative length drops characters from the end. */
const substr: OperatorCompiler = (input) => {
  const args = evaluatedArgs(input);
  return (d, st) => {
    const [s, from, len] = args(d, st) as [unknown, number, number | undefined];
    if (typeof s !== 'string') throw new LogicRuntimeError('"substr" needs a string');
    const start = from < 0 ? Math.max(0, s.length + from) : Math.min(s.length, +from || 0);
    const rest = s.slice(start);
    if (len === undefined || len === null) return rest;
    if (len < 0) return rest.slice(0, Math.max(0, rest.length + len));
    return rest.slice(0, len);
  };
};

export const stringOperators: Record<string, OperatorCompiler> = { cat, substr };
