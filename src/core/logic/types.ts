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
  /** The enriched root, built on first use by `var ""` or `var "$flagd"`. */
  enriched: Record<string, unknown> | undefined;
}

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

/** What an operator's compiler gets: its raw arguments and a way to compile sub-expressions. */
export interface OperatorInput {
  /** The raw argument value as written (array or single value). */
  raw: unknown;
  /** The argument list: `raw` when it is an array, else `[raw]`. */
  args: unknown[];
  /** Compiles a sub-expression; `index` extends the JSON path for error messages. */
  compile: (node: unknown, index: number | string) => Compiled;
  /** Compiles every argument, in order. */
  compileArgs: () => Compiled[];
  /** JSON path of this operator, for errors. */
  path: string;
  /** The key of the flag being compiled, when known: `$flagd.flagKey` folds to it. */
  flagKey: string | undefined;
}

/** Compiles one operator into a closure. */
export type OperatorCompiler = (input: OperatorInput) => Compiled;
