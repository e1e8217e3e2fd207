import { isPlainObject } from '../json';

/** flagd's own operators: json-logic-engine never treats them as constant. */
const FLAGD_OPERATORS = new Set(['fractional', 'sem_ver', 'starts_with', 'ends_with']);
const ITERATORS = new Set(['map', 'filter', 'some', 'all', 'none', 'reduce']);

type Memo = [WeakMap<object, boolean>, WeakMap<object, boolean>];
/** Per evaluator table (a `$ref` answer depends on it), then per node and iterator scope. */
const memos = new WeakMap<object, Memo>();

/**
 * json-logic-engine's `isDeterministic`: true when an expression does not depend on the data, so
 * that the engine evaluates it once while preparing the rule. `var` is constant only inside an
 * iterator body (it reads the element), `missing` only with no keys, and a `reduce` ignores its
 * initial value. `evaluators` resolves `$ref`, which flagd-core has substituted by then.
 */
export function isDeterministic(node: unknown, evaluators: Readonly<Record<string, unknown>>, inIterator = false): boolean {
  if (node === null || typeof node !== 'object') return true;
  let memo = memos.get(evaluators);
  if (!memo) memos.set(evaluators, (memo = [new WeakMap(), new WeakMap()]));
  const cache = memo[inIterator ? 1 : 0];
  let known = cache.get(node);
  if (known === undefined) {
    known = compute(node, evaluators, inIterator);
    cache.set(node, known);
  }
  return known;
}

function compute(node: object, evaluators: Readonly<Record<string, unknown>>, inIterator: boolean): boolean {
  if (Array.isArray(node)) return node.every((item) => isDeterministic(item, evaluators, inIterator));
  if (!isPlainObject(node)) return true;
  const op = Object.keys(node)[0];
  if (op === undefined) return true;
  const lower = node[op];
  if (op === '$ref') {
    return typeof lower === 'string' && Object.hasOwn(evaluators, lower) && isDeterministic(evaluators[lower], evaluators, inIterator);
  }
  if (FLAGD_OPERATORS.has(op)) return false;
  if (op === 'var') return inIterator && !String(lower).includes('../../');
  if (op === 'missing') return Array.isArray(lower) && lower.length === 0;
  if (op === 'missing_some') return false;
  if (ITERATORS.has(op)) {
    // The engine reads data[0] and data[1] of whatever it was given; a bare null makes it throw,
    // which the caller treats like any other constant that fails.
    if (lower === null || lower === undefined) return true;
    const parts = lower as Record<number, unknown>;
    return isDeterministic(parts[0], evaluators, inIterator) && isDeterministic(parts[1], evaluators, true);
  }
  return isDeterministic(lower, evaluators, inIterator);
}
