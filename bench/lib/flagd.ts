/** The reference evaluator, configured as it must run on Workers. */
import type { Logger } from '@openfeature/core';
import { FlagdCore } from '@openfeature/flagd-core';

/** flagd-core logs parse warnings for the testkit's deliberately broken flags; they are noise here. */
const silent: Logger = { error() {}, warn() {}, info() {}, debug() {} };

/**
 * A flagd-core instance loaded with `json`. `disableDynamicCodeGeneration` selects its JSON Logic
 * interpreter: workerd forbids `new Function`, so the compiled mode is not an option at the edge.
 */
export function makeFlagdCore(json: string): FlagdCore {
  const core = new FlagdCore(undefined, silent, { disableDynamicCodeGeneration: true });
  core.setConfigurations(json);
  return core;
}
