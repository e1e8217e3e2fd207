import { constant } from '../compile';
import { truthy } from '../truthy';
import { type Compiled, type EvalState, LogicRuntimeError, type OperatorCompiler } from '../types';
import { evaluatedArgs } from './evaluated-args';

function invalid(op: string): Compiled {
  return () => {
    throw new LogicRuntimeError(`invalid arguments for "${op}"`);
  };
}

function asList(v: unknown): unknown[] {
  if (!v) return [];
  if (!Array.isArray(v)) throw new LogicRuntimeError('expected an array');
  return v;
}

/** Compiles `[selector, mapper]` where the mapper runs with each element as its scope. */
function iterative(name: string, body: (list: unknown[], map: (item: unknown, st: EvalState) => unknown) => unknown): OperatorCompiler {
  return (input) => {
    if (!Array.isArray(input.raw)) return invalid(name);
    const selector = input.compile(input.raw[0], 0);
    const mapperRaw: unknown = input.raw[1];
    const mapper = input.compile(mapperRaw, 1);
    return (d, st) => body(asList(selector(d, st)), mapper);
  };
}

const map = iterative('map', (list, fn) => list.map((item) => fn(item, scopeless)));
const filter = iterative('filter', (list, fn) => list.filter((item) => truthy(fn(item, scopeless))));
const some = iterative('some', (list, fn) => list.some((item) => truthy(fn(item, scopeless))));
const none = iterative('none', (list, fn) => !list.some((item) => truthy(fn(item, scopeless))));
const all = iterative('all', (list, fn) => list.length > 0 && list.every((item) => truthy(fn(item, scopeless))));

/**
 * Inside an iterator the scope is the element, not the root context, so `$flagd` does not apply.
 * A fixed state object keeps the closures' signature without allocating per element.
 */
const scopeless: EvalState = { root: Symbol('no-root'), flagKey: '', timestamp: 0, enriched: undefined };

const reduce: OperatorCompiler = (input) => {
  if (!Array.isArray(input.raw)) return invalid('reduce');
  const selector = input.compile(input.raw[0], 0);
  const mapper = input.compile(input.raw[1], 1);
  const initial = input.raw.length > 2 ? input.compile(input.raw[2], 2) : undefined;
  return (d, st) => {
    const list = asList(selector(d, st));
    const step = (accumulator: unknown, current: unknown) => mapper({ accumulator, current }, scopeless);
    if (initial === undefined) return list.reduce(step);
    return list.reduce(step, initial(d, st));
  };
};

/** `merge`: flattens one level of arrays. */
const merge: OperatorCompiler = (input) => {
  const args = evaluatedArgs(input);
  return (d, st) => {
    const v = args(d, st);
    if (!Array.isArray(v)) return [v];
    const out: unknown[] = [];
    for (const item of v) {
      if (Array.isArray(item)) out.push(...item);
      else out.push(item);
    }
    return out;
  };
};

/** `in`: membership in an array, or substring of a string. */
const inOp: OperatorCompiler = (input) => {
  if (!Array.isArray(input.raw)) {
    const arg = input.compile(input.raw, 0);
    return (d, st) => includes(arg(d, st), undefined);
  }
  const [itemFn = constant(undefined), listFn = constant(undefined)] = input.compileArgs();
  return (d, st) => includes(itemFn(d, st), listFn(d, st));
};

function includes(item: unknown, list: unknown): boolean {
  if (!list) return false;
  if (typeof list === 'string') return list.includes(item as string);
  if (Array.isArray(list)) return list.includes(item);
  throw new LogicRuntimeError('"in" needs an array or a string');
}

export const arrayOperators: Record<string, OperatorCompiler> = {
  map,
  filter,
  reduce,
  all,
  some,
  none,
  merge,
  in: inOp,
};
