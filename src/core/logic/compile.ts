import { isPlainObject } from '../json';
import { operators } from './operators';
import { type Compiled, LogicCompileError, type OperatorInput } from './types';

/** What a targeting rule may refer to while compiling. */
export interface CompileScope {
  /** Shared rules from the flag set's `$evaluators`, referenced with `{ "$ref": name }`. */
  evaluators: Readonly<Record<string, unknown>>;
  /** The flag the rule belongs to, so that `$flagd.flagKey` compiles to a constant. */
  flagKey?: string;
}

const REF = '$ref';

/**
 * Compiles a JSON Logic rule into a closure, once per snapshot.
 * Unknown operators and unresolved `$ref`s throw LogicCompileError.
 */
export function compileLogic(node: unknown, scope: CompileScope, path = ''): Compiled {
  return compileNode(node, scope, path, []);
}

function compileNode(node: unknown, scope: CompileScope, path: string, refStack: string[]): Compiled {
  if (Array.isArray(node)) {
    const items = node.map((item, i) => compileNode(item, scope, `${path}/${i}`, refStack));
    if (items.every(isConstant)) {
      const value = items.map((c) => constantValue(c));
      return constant(value);
    }
    return (data, st) => {
      const out = new Array(items.length);
      for (let i = 0; i < items.length; i++) out[i] = items[i]!(data, st);
      return out;
    };
  }
  if (!isPlainObject(node)) return constant(node);

  const keys = Object.keys(node);
  if (keys.length === 0) return constant(node);
  const op = keys[0]!;
  const raw = node[op];

  if (keys.length > 1) {
    throw new LogicCompileError(`an operation must have exactly one key, found ${keys.join(', ')}`, path);
  }
  if (op === REF) {
    if (typeof raw !== 'string') throw new LogicCompileError(`"$ref" must name an evaluator`, path);
    if (!Object.hasOwn(scope.evaluators, raw)) {
      throw new LogicCompileError(`"$ref" names the unknown evaluator "${raw}"`, path);
    }
    if (refStack.includes(raw)) {
      throw new LogicCompileError(`"$ref" cycle: ${[...refStack, raw].join(' -> ')}`, path);
    }
    return compileNode(scope.evaluators[raw], scope, `/$evaluators/${escapePointer(raw)}`, [...refStack, raw]);
  }

  const compiler = Object.hasOwn(operators, op) ? operators[op] : undefined;
  if (!compiler) throw new LogicCompileError(`unknown operator "${op}"`, path);

  const opPath = `${path}/${escapePointer(op)}`;
  const args = Array.isArray(raw) ? raw : [raw];
  const input: OperatorInput = {
    raw,
    args,
    path: opPath,
    flagKey: scope.flagKey,
    compile: (child, index) => compileNode(child, scope, Array.isArray(raw) ? `${opPath}/${index}` : opPath, refStack),
    compileArgs: () => args.map((a, i) => compileNode(a, scope, Array.isArray(raw) ? `${opPath}/${i}` : opPath, refStack)),
  };
  return compiler(input);
}

const CONSTANT = Symbol('constant');
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

function escapePointer(s: string): string {
  return s.replace(/~/g, '~0').replace(/\//g, '~1');
}
