/**
 * Per-evaluation state shared by every closure of one targeting rule.
 * `root` is the caller's context object; `$flagd` enrichment is resolved against it lazily
 * so that an evaluation allocates nothing unless a rule asks for the whole context.
 */
export interface EvalState {
  root: unknown;
  flagKey: string;
  /** Seconds since the epoch, as flagd's `$flagd.timestamp`. */
  timestamp: number;
  /** The enriched root, built on first use by `var ""`. */
  enriched: Record<string, unknown> | undefined;
}

/**
 * The state inside iterator bodies and during compile-time folding. Its root matches no data, so
 * `$flagd` is not special there and flagd's own operators fail, as they do in flagd-core, whose
 * operators read the logger and `$flagd` from the current scope, which only the root carries.
 */
export const NO_ROOT: EvalState = Object.freeze({
  root: Symbol('no-root'),
  flagKey: '',
  timestamp: 0,
  enriched: undefined,
});

/** A compiled JSON Logic expression. `data` is the current scope: the root, or an array element. */
export type Compiled = (data: unknown, st: EvalState) => unknown;

/** Thrown at compile time only; the flag then evaluates to PARSE_ERROR. */
export class LogicCompileError extends Error {
  constructor(
    message: string,
    readonly path: string,
  ) {
    super(message);
    this.name = 'LogicCompileError';
  }
}

/** Thrown at evaluation time by an operator, as json-logic-engine throws; the flag then answers GENERAL. */
export class LogicRuntimeError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'LogicRuntimeError';
  }
}

/**
 * Thrown while compiling an expression that json-logic-engine accepts when parsing but rejects
 * when it first prepares it (a constant that fails, an object with two keys). It is caught at the
 * nearest operand that the engine prepares lazily, which then fails whenever it is evaluated.
 */
export class LogicDeferredError extends Error {
  constructor(
    message: string,
    readonly path: string,
  ) {
    super(message);
    this.name = 'LogicDeferredError';
  }
}

/** What an operator's compiler gets: its raw arguments and a way to compile sub-expressions. */
export interface OperatorInput {
  /** The raw argument value as written (array or single value). */
  raw: unknown;
  /** Compiles an operand the engine prepares with its operator; a deferred failure propagates. */
  compile: (node: unknown, index: number | string) => Compiled;
  /** Compiles an operand the engine prepares only when it evaluates it; a deferred failure becomes a closure that throws. */
  compileLazy: (node: unknown, index: number | string) => Compiled;
  /** Compiles every argument eagerly, in order (a bare argument counts as the only one). */
  compileArgs: () => Compiled[];
  /** Compiles every argument lazily, in order. */
  compileArgsLazy: () => Compiled[];
  /** Fails compilation with a deferred error at this operator. */
  defer: (message: string) => never;
  /** JSON path of this operator, for errors. */
  path: string;
  /** The key of the flag being compiled, when known: root-only operators may precompute from it. */
  flagKey: string | undefined;
}

/** Compiles one operator into a closure. */
export type OperatorCompiler = (input: OperatorInput) => Compiled;
