import { constant, constantValue, isConstant, settled } from '../compile';
import { truthy } from '../truthy';
import { type Compiled, LogicRuntimeError, NO_ROOT, type OperatorCompiler, type OperatorInput } from '../types';
import { argList } from './evaluated-args';

function fail(message: string): never {
  throw new LogicRuntimeError(message);
}

/** An iterator with something other than `[selector, body]` fails when evaluated; its operands are still validated. */
function invalid(input: OperatorInput, name: string): Compiled {
  input.compileArgsLazy();
  return () => fail(`invalid arguments for "${name}"`);
}

/**
 * `[selector, body]` of an iterator, both prepared lazily; operands past the second are never
 * evaluated but are still compiled, since flagd-core validates them when parsing.
 */
function operands(input: OperatorInput): [Compiled, Compiled] {
  const [selector = constant(undefined), fn = constant(undefined)] = input.compileArgsLazy();
  return [selector, fn];
}

/** The engine's `selector || []`. */
const orEmpty = (v: unknown): unknown => v || [];

/** Array methods exist on arrays only: anything else fails as `x.map is not a function` does. */
function asArray(v: unknown, name: string): unknown[] {
  if (!Array.isArray(v)) fail(`"${name}" needs an array`);
  return v;
}

/** Iterator bodies run with the element as their scope; the root's `$flagd` is not visible there. */
const body = (fn: Compiled) => (item: unknown) => fn(item, NO_ROOT);

/** `map`: the body's value for each element of the selection. */
const map: OperatorCompiler = (input) => {
  if (!Array.isArray(input.raw)) return invalid(input, 'map');
  const [selector, fn] = operands(input);
  const mapper = body(fn);
  return (d, st) => asArray(orEmpty(selector(d, st)), 'map').map(mapper);
};

/**
 * `filter`. With exactly two operands and a constant test, the engine returns the selected
 * value itself (not a copy, not checked to be an array) when the test is truthy, else `[]`.
 */
const filter: OperatorCompiler = (input) => {
  const raw = input.raw;
  if (!Array.isArray(raw)) return invalid(input, 'filter');
  if (raw.length === 2) {
    const test = input.compile(raw[1], 1);
    if (isConstant(test)) {
      if (truthy(constantValue(test))) return input.compile(raw[0], 0);
      input.compileLazy(raw[0], 0);
      return constant([]);
    }
    return filterWith(input.compileLazy(raw[0], 0), test);
  }
  const [selector, test] = operands(input);
  return filterWith(selector, test);
};

function filterWith(selector: Compiled, test: Compiled): Compiled {
  const keep = (item: unknown) => truthy(test(item, NO_ROOT));
  return (d, st) => asArray(orEmpty(selector(d, st)), 'filter').filter(keep);
}

/** Walks an array-like as the engine's loops do: strings by character, other scalars as empty. */
function someOf(list: unknown, test: Compiled): boolean {
  const items = list as ArrayLike<unknown>;
  for (let i = 0; i < items.length; i++) {
    if (truthy(test(items[i], NO_ROOT))) return true;
  }
  return false;
}

function someLike(name: string, negate: boolean): OperatorCompiler {
  return (input) => {
    if (!Array.isArray(input.raw)) return invalid(input, name);
    const [selector, test] = operands(input);
    return (d, st) => someOf(orEmpty(selector(d, st)), test) !== negate;
  };
}

/** `all`: false for an empty array, true for a scalar (nothing to test), else every element passes. */
const all: OperatorCompiler = (input) => {
  if (!Array.isArray(input.raw)) return invalid(input, 'all');
  const [selector, test] = operands(input);
  return (d, st) => {
    const items = orEmpty(selector(d, st)) as ArrayLike<unknown>;
    if (Array.isArray(items) && items.length === 0) return false;
    for (let i = 0; i < items.length; i++) {
      if (!truthy(test(items[i], NO_ROOT))) return false;
    }
    return true;
  };
};

/**
 * The engine's `maxDepth: 0`: a reduce accumulator may be an array or object of scalars, but
 * nothing nested.
 */
function shallow(item: unknown): unknown {
  if (!item || typeof item !== 'object') return item;
  const values = Array.isArray(item) ? item : Object.values(item);
  for (const v of values) if (v && typeof v === 'object') fail('"reduce" value nested too deep');
  return item;
}

/**
 * The engine rewrites `reduce` with `+` or `*` of `accumulator` and `current` into a sum or a
 * product of the whole selection, which coerces differently (`"5"` sums to 5, `[]` to the initial
 * value). The result is the rewritten expression, or undefined when the pattern does not apply.
 */
function reduceIdiom(input: OperatorInput, raw: readonly unknown[]): Compiled | undefined {
  const [root, mapper] = raw;
  let initial: unknown = raw[2];
  if (mapper === null || mapper === undefined) input.defer('"reduce" needs a mapper');
  const m = mapper as Record<string, unknown>;
  for (const op of ['+', '*'] as const) {
    const operands = m[op] as Record<number, unknown> & { length?: unknown };
    const nameOf = (i: number) => ((operands[i] || 0) as { var?: unknown }).var;
    if (!operands || operands.length !== 2 || !nameOf(0) || !nameOf(1)) continue;
    const names = [nameOf(0), nameOf(1)];
    // The engine settles the initial value before it checks the names, and keeps it for `*`.
    if (op === '+') initial = initial || 0;
    else if (initial === undefined) initial = 1;
    if (names.includes('accumulator') && names.includes('current')) {
      return input.compile({ [op]: [{ [op]: root }, initial] }, 'reduce');
    }
  }
  return undefined;
}

/** `reduce`: `[selection, body, initial?]`, the body seeing `accumulator` and `current`. */
const reduce: OperatorCompiler = (input) => {
  const raw = input.raw;
  if (!Array.isArray(raw)) return invalid(input, 'reduce');
  const args = input.compileArgsLazy();
  const idiom = reduceIdiom(input, raw);
  if (idiom) return settled(idiom);
  const [selector, mapper] = args as [Compiled, Compiled];
  const initial = raw.length > 2 ? args[2]! : constant(undefined);
  const step = (accumulator: unknown, current: unknown) => shallow(mapper({ accumulator, current }, NO_ROOT));
  return (d, st) => {
    const start = shallow(initial(d, st));
    const list = asArray(orEmpty(selector(d, st)), 'reduce');
    return start === undefined ? list.reduce(step) : list.reduce(step, start);
  };
};

/** `merge`: flattens one level of arrays. */
const merge: OperatorCompiler = (input) => {
  const args = argList(input);
  return (d, st) => {
    const out: unknown[] = [];
    for (const item of args(d, st) as unknown[]) {
      if (Array.isArray(item)) out.push(...(item as unknown[]));
      else out.push(item);
    }
    return out;
  };
};

/** `in`: membership in an array, or substring of a string (JavaScript's `includes` on either). */
const inOp: OperatorCompiler = (input) => {
  const args = argList(input);
  return (d, st) => {
    const [item, container] = args(d, st) as [unknown, unknown];
    const list = container || [];
    if (typeof list === 'string') return list.includes(item as string);
    if (Array.isArray(list)) return list.includes(item);
    return fail('"in" needs an array or a string');
  };
};

export const arrayOperators: Record<string, OperatorCompiler> = {
  map,
  filter,
  reduce,
  all,
  some: someLike('some', false),
  none: someLike('none', true),
  merge,
  in: inOp,
};
