import { type EvalState, LogicRuntimeError } from '../types';

/**
 * flagd's operators (fractional, sem_ver, starts_with, ends_with) read flagd-core's logger and
 * `$flagd` from the current scope, which only the root context carries: inside an iterator body
 * (map, filter, reduce, …) flagd-core fails them, and so do we.
 */
export function assertRoot(d: unknown, st: EvalState, op: string): void {
  if (d !== st.root) throw new LogicRuntimeError(`"${op}" is only available at the top level of a rule`);
}
