import { isPlainObject } from '../json';
import { pointerSegment } from '../json-pointer';
import { isDeterministic } from './deterministic';
import { operators } from './operators';
import { type Compiled, LogicCompileError, LogicDeferredError, LogicRuntimeError, NO_ROOT, type OperatorInput } from './types';

/** What a targeting rule may refer to while compiling. */
export interface CompileScope {
  /** Shared rules from the flag set's `$evaluators`, referenced with `{ "$ref": name }`. */
  evaluators: Readonly<Record<string, unknown>>;
  /** The flag the rule belongs to (for callers' messages: `$flagd.flagKey` is read per evaluation, as it differs inside iterators). */
  flagKey?: string;
  /** Told about parts that compile but fail on every evaluation, so validation can report them. */
  onDeferred?: (message: string, path: string) => void;
}

const REF = '$ref';

/**
 * Compiles a JSON Logic rule into a closure, once per snapshot.
 * Unknown operators and unresolved `$ref`s throw LogicCompileError; a rule that json-logic-engine
 * only rejects when preparing it compiles to a closure that always throws (GENERAL), as there.
 */
export function compileLogic(node: unknown, scope: CompileScope, path = ''): Compiled {
  return lazily(() => compileNode(node, scope, path, []), scope);
}

/** Runs a compilation whose deferred failure must surface at evaluation time instead. */
function lazily(build: () => Compiled, scope: CompileScope): Compiled {
  try {
    return build();
  } catch (err) {
    if (!(err instanceof LogicDeferredError)) throw err;
    scope.onDeferred?.(err.message, err.path);
    return failing(`${err.message} (at ${err.path || '/'})`);
  }
}

/** A closure that always throws: a rule json-logic-engine cannot prepare fails on every evaluation. */
function failing(message: string): Compiled {
  return () => {
    throw new LogicRuntimeError(message);
  };
}

function compileNode(node: unknown, scope: CompileScope, path: string, refs: readonly string[]): Compiled {
  if (Array.isArray(node)) {
    const items = node.map((item, i) => compileNode(item, scope, `${path}/${i}`, refs));
    if (items.every(isConstant)) return constant(items.map((c) => constantValue(c)));
    return (data, st) => {
      const out = new Array<unknown>(items.length);
      for (let i = 0; i < items.length; i++) out[i] = items[i]!(data, st);
      return out;
    };
  }
  if (!isPlainObject(node)) return constant(node);

  const keys = Object.keys(node);
  if (keys.length === 0) return constant(node);
  const op = keys[0]!;
  const raw = node[op];

  if (op === REF) {
    if (keys.length > 1 || typeof raw !== 'string') throw new LogicCompileError(`"$ref" must be alone and name an evaluator`, path);
    return compileRef(raw, scope, path, refs);
  }
  const compiler = Object.hasOwn(operators, op) ? operators[op] : undefined;
  if (!compiler) throw new LogicCompileError(`unknown operator "${op}"`, path);

  const opPath = `${path}/${pointerSegment(op)}`;
  if (keys.length > 1) {
    // flagd-core validates only the first key when parsing; the engine refuses the object when it prepares it.
    lazily(() => compileNode(raw, scope, opPath, refs), scope);
    throw new LogicDeferredError(`an operation must have exactly one key, found ${keys.join(', ')}`, path);
  }

  const args = Array.isArray(raw) ? raw : [raw];
  // A bare (non-array) operand sits at the operator's own path.
  const childPath = (index: number | string) => (Array.isArray(raw) ? `${opPath}/${index}` : opPath);
  const input: OperatorInput = {
    raw,
    path: opPath,
    flagKey: scope.flagKey,
    compile: (child, index) => compileNode(child, scope, childPath(index), refs),
    compileLazy: (child, index) => lazily(() => compileNode(child, scope, childPath(index), refs), scope),
    compileArgs: () => args.map((a, i) => compileNode(a, scope, childPath(i), refs)),
    compileArgsLazy: () => args.map((a, i) => lazily(() => compileNode(a, scope, childPath(i), refs), scope)),
    defer: (message) => {
      throw new LogicDeferredError(message, opPath);
    },
  };
  const fn = compiler(input);
  if (isConstant(fn) || SETTLED in fn || !isDeterministic(node, scope.evaluators)) return fn;
  // The engine evaluates a data-independent expression once, while preparing the rule: fold it,
  // and let a failure surface where the engine would report it.
  try {
    return constant(fn({}, NO_ROOT));
  } catch (err) {
    throw new LogicDeferredError(`"${op}" fails on its constant arguments: ${(err as Error).message}`, opPath);
  }
}

/**
 * Resolves `{ "$ref": name }` to the evaluator's rule, compiled in place, in any declaration order.
 * (flagd-core substitutes evaluators textually in declaration order, so it leaves a `$ref` inside
 * an evaluator to one declared earlier unresolved: a PARSE_ERROR there, a working rule here.)
 */
function compileRef(name: string, scope: CompileScope, path: string, refs: readonly string[]): Compiled {
  if (!Object.hasOwn(scope.evaluators, name)) throw new LogicCompileError(`"$ref" names the unknown evaluator "${name}"`, path);
  if (refs.includes(name)) throw new LogicCompileError(`"$ref" cycle: ${[...refs, name].join(' -> ')}`, path);
  return compileNode(scope.evaluators[name], scope, `/$evaluators/${pointerSegment(name)}`, [...refs, name]);
}

const CONSTANT = Symbol('constant');
const SETTLED = Symbol('settled');
type ConstantFn = Compiled & { [CONSTANT]: unknown };

/** A closure that always returns `value`, marked so that callers can fold it. */
export function constant(value: unknown): Compiled {
  const fn = (() => value) as unknown as ConstantFn;
  fn[CONSTANT] = value;
  return fn;
}

/** True when `fn` was built by `constant`. */
export function isConstant(fn: Compiled): boolean {
  return CONSTANT in fn;
}

/** The value of a constant closure. */
export function constantValue(fn: Compiled): unknown {
  return (fn as ConstantFn)[CONSTANT];
}

/** Marks an operator's closure as final: the engine rewrote the expression, so it must not be folded as written. */
export function settled(fn: Compiled): Compiled {
  (fn as Compiled & { [SETTLED]?: true })[SETTLED] = true;
  return fn;
}
