import type { EvaluationDetails, FlagValue, Hook, HookContext, HookHints } from '@openfeature/server-sdk';
import { RequestScope, SCOPE_HINT, type ScopeStore } from './scope';

/**
 * An OpenFeature hook that remembers, in the current request's scope, which variant of which flag
 * the request was served. The scope is the one named by the `rollgate.scope` hook hint, else the
 * store's current one; with neither, nothing is remembered (evaluation is never affected).
 * Evaluations without a variant (errors, code defaults) are not attributed: Rollgate only knows
 * the variants it serves.
 */
export function rollgateHook(store?: ScopeStore): Hook {
  return {
    after(_ctx: HookContext, details: EvaluationDetails<FlagValue>, hints?: HookHints): void {
      try {
        if (typeof details.variant !== 'string' || details.variant === '') return;
        const hinted = hints !== undefined && Object.hasOwn(hints, SCOPE_HINT) ? hints[SCOPE_HINT] : undefined;
        const scope = hinted instanceof RequestScope ? hinted : store?.current();
        scope?.add(details.flagKey, details.variant);
      } catch {
        // Never let reporting change an evaluation.
      }
    },
  };
}
