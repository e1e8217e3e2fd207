/** Helpers for the logic unit tests: compile a rule as a flag's targeting is compiled, then evaluate it. */
import { compileLogic } from '../../src/core/logic/compile';
import type { EvalState } from '../../src/core/logic/types';

export interface RunOptions {
  flagKey?: string;
  /** `$flagd.timestamp`, in seconds. */
  timestamp?: number;
  evaluators?: Readonly<Record<string, unknown>>;
}

/** Compiles `rule` and evaluates it once against `context`. */
export function run(rule: unknown, context: Record<string, unknown> = {}, options: RunOptions = {}): unknown {
  return evaluator(rule, options)(context);
}

/** Compiles `rule` once and returns a function evaluating it against a context. */
export function evaluator(rule: unknown, options: RunOptions = {}): (context: Record<string, unknown>) => unknown {
  const flagKey = options.flagKey ?? 'flag';
  const fn = compileLogic(rule, { evaluators: options.evaluators ?? {}, flagKey });
  return (context) => {
    const st: EvalState = { root: context, flagKey, timestamp: options.timestamp ?? 0, enriched: undefined };
    return fn(context, st);
  };
}
