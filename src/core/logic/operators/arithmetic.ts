import { LogicRuntimeError, type OperatorCompiler } from '../types';
import { argList, unaryArg } from './evaluated-args';

// json-logic-engine's arithmetic, operand shapes and failures included: it throws on NaN and
// objects rather than returning NaN, and the flag then answers GENERAL.

function fail(what: string): never {
  throw new LogicRuntimeError(what);
}

const isObj = (v: unknown): boolean => !!v && typeof v === 'object';

/** json-logic-engine's `precoerceNumber` applied to an already negated or converted scalar. */
function checked(n: number): number {
  if (Number.isNaN(n)) fail('not a number');
  return n;
}

/** `+` of its operand: a scalar is converted, an array summed. */
export function plus(data: unknown): number {
  if (!data) return 0;
  if (typeof data === 'string' || typeof data === 'number' || typeof data === 'boolean') return checked(+data);
  if (!Array.isArray(data)) fail('"+" of an object');
  let res = 0;
  for (const v of data) {
    if (isObj(v)) fail('"+" of an object');
    res += +(v as number);
  }
  if (Number.isNaN(res)) fail('"+" of a non-number');
  return res;
}

function minus(data: unknown): number {
  if (!data) return 0;
  if (typeof data === 'string' || typeof data === 'number' || typeof data === 'boolean') return checked(-(data as number));
  if (!Array.isArray(data)) fail('"-" of an object');
  if (isObj(data[0])) fail('"-" of an object');
  if (data.length === 0) fail('"-" needs arguments');
  // The engine negates a single operand without checking it, so `-["a"]` is NaN, not an error.
  if (data.length === 1) return -(data[0] as number);
  let res = data[0] as number;
  for (let i = 1; i < data.length; i++) {
    if (isObj(data[i])) fail('"-" of an object');
    res -= +(data[i] as number);
  }
  if (Number.isNaN(res)) fail('"-" of a non-number');
  return res;
}

/** `*` of its operand list. */
export function times(list: readonly unknown[]): number {
  if (list.length === 0) return 1;
  let res = 1;
  for (const v of list) {
    if (isObj(v)) fail('"*" of an object');
    res *= +(v as number);
  }
  if (Number.isNaN(res)) fail('"*" of a non-number');
  return res;
}

function divide(list: readonly unknown[]): number {
  if (isObj(list[0])) fail('"/" of an object');
  if (list.length === 0) fail('"/" needs arguments');
  if (list.length === 1) {
    if (!+(list[0] as number)) fail('division by zero');
    return 1 / +(list[0] as number);
  }
  let res = +(list[0] as number);
  for (let i = 1; i < list.length; i++) {
    if (isObj(list[i]) || !list[i]) fail('division by zero');
    res /= +(list[i] as number);
  }
  if (Number.isNaN(res) || res === Infinity) fail('"/" of a non-number');
  return res;
}

function modulo(list: readonly unknown[]): number {
  if (isObj(list[0])) fail('"%" of an object');
  if (list.length < 2) fail('"%" needs two arguments');
  let res = +(list[0] as number);
  for (let i = 1; i < list.length; i++) {
    if (isObj(list[i])) fail('"%" of an object');
    res %= +(list[i] as number);
  }
  if (Number.isNaN(res)) fail('"%" of a non-number');
  return res;
}

/** `max` / `min`: numbers only, no coercion. */
function extreme(pick: (a: number, b: number) => boolean, name: string) {
  return (list: readonly unknown[]): number => {
    if (!list.length || typeof list[0] !== 'number') fail(`"${name}" needs numbers`);
    let best = list[0];
    for (let i = 1; i < list.length; i++) {
      const v = list[i];
      if (typeof v !== 'number') fail(`"${name}" needs numbers`);
      if (pick(v, best)) best = v;
    }
    return best;
  };
}

function overUnary(fn: (arg: unknown) => unknown): OperatorCompiler {
  return (input) => {
    const arg = unaryArg(input);
    return (d, st) => fn(arg(d, st));
  };
}

function overList(fn: (args: readonly unknown[]) => unknown): OperatorCompiler {
  return (input) => {
    const args = argList(input);
    return (d, st) => fn(args(d, st) as unknown[]);
  };
}

export const arithmeticOperators: Record<string, OperatorCompiler> = {
  '+': overUnary(plus),
  '-': overUnary(minus),
  '*': overList(times),
  '/': overList(divide),
  '%': overList(modulo),
  max: overList(extreme((a, b) => a > b, 'max')),
  min: overList(extreme((a, b) => a < b, 'min')),
};
