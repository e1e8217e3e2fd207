import { LogicRuntimeError, type OperatorCompiler } from '../types';
import { evaluatedArgs } from './evaluated-args';

function fail(what: string): never {
  throw new LogicRuntimeError(what);
}

const isObj = (v: unknown): boolean => !!v && typeof v === 'object';

/** A unary number coercion that rejects NaN, as json-logic-engine's precoercion does. */
function unary(v: unknown, sign: 1 | -1): number {
  if (Number.isNaN(v)) fail('not a number');
  const n = sign * +(v as number);
  if (Number.isNaN(n)) fail('not a number');
  return n;
}

function eager(fn: (args: unknown) => unknown): OperatorCompiler {
  return (input) => {
    const args = evaluatedArgs(input);
    return (d, st) => fn(args(d, st));
  };
}

const plus = (data: unknown): number => {
  if (!data) return 0;
  if (typeof data === 'string' || typeof data === 'number' || typeof data === 'boolean') return unary(data, 1);
  if (!Array.isArray(data)) fail('"+" of an object');
  let res = 0;
  for (const v of data) {
    if (isObj(v)) fail('"+" of an object');
    res += +(v as number);
  }
  if (Number.isNaN(res)) fail('"+" of a non-number');
  return res;
};

const minus = (data: unknown): number => {
  if (!data) return 0;
  if (typeof data === 'string' || typeof data === 'number' || typeof data === 'boolean') return unary(data, -1);
  if (!Array.isArray(data)) fail('"-" of an object');
  if (isObj(data[0])) fail('"-" of an object');
  if (data.length === 0) fail('"-" needs arguments');
  if (data.length === 1) return -(data[0] as number);
  let res = data[0] as number;
  for (let i = 1; i < data.length; i++) {
    if (isObj(data[i])) fail('"-" of an object');
    res -= +(data[i] as number);
  }
  if (Number.isNaN(res)) fail('"-" of a non-number');
  return res;
};

const times = (data: unknown): number => {
  const list = data as unknown[];
  if (list.length === 0) return 1;
  let res = 1;
  for (const v of list) {
    if (isObj(v)) fail('"*" of an object');
    res *= +(v as number);
  }
  if (Number.isNaN(res)) fail('"*" of a non-number');
  return res;
};

const divide = (data: unknown): number => {
  const list = data as unknown[];
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
};

const modulo = (data: unknown): number => {
  const list = data as unknown[];
  if (isObj(list[0])) fail('"%" of an object');
  if (list.length < 2) fail('"%" needs two arguments');
  let res = +(list[0] as number);
  for (let i = 1; i < list.length; i++) {
    if (isObj(list[i])) fail('"%" of an object');
    res %= +(list[i] as number);
  }
  if (Number.isNaN(res)) fail('"%" of a non-number');
  return res;
};

function extreme(pick: (a: number, b: number) => boolean, name: string) {
  return (data: unknown): number => {
    const list = data as unknown[];
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

export const arithmeticOperators: Record<string, OperatorCompiler> = {
  '+': eager(plus),
  '-': eager(minus),
  '*': eager(times),
  '/': eager(divide),
  '%': eager(modulo),
  max: eager(extreme((a, b) => a > b, 'max')),
  min: eager(extreme((a, b) => a < b, 'min')),
};
