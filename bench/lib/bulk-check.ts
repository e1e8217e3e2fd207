/** Compares bulk evaluation (ours evaluateAll vs flagd-core resolveAll) on the flags both return. */
import type { EvaluationContext } from '@openfeature/core';
import type { FlagdCore } from '@openfeature/flagd-core';
import { type CompiledFlagSet, evaluateAll } from '../../src/core/flags/flag-set';
import { AnswerCheck, oursRaw, theirs } from './answers';
import { fmtInt } from './format';

/**
 * flagd-core's resolveAll drops disabled flags and value-less results (errors, code defaults),
 * so those are skipped when ours also has no value for them; any other difference fails.
 * `skipKeys` leaves out flags flagd cannot express (rollout overlays).
 */
export function checkBulk(
  label: string,
  ours: CompiledFlagSet,
  ref: FlagdCore,
  contexts: readonly EvaluationContext[],
  skipKeys: ReadonlySet<string> = new Set(),
): string {
  const check = new AnswerCheck(label);
  let skipped = 0;
  contexts.forEach((ctx, i) => {
    const refByKey = new Map(ref.resolveAll(ctx).map((d) => [d.flagKey, d]));
    for (const r of evaluateAll(ours, ctx, Date.now())) {
      const d = refByKey.get(r.key);
      refByKey.delete(r.key);
      if (skipKeys.has(r.key)) continue;
      if (d) check.add(`context #${i} flag ${r.key}`, oursRaw(r), theirs(d));
      else if (r.value === undefined || r.reason === 'DISABLED') skipped++;
      else check.fail(`context #${i} flag ${r.key}`, `ours answers ${JSON.stringify(oursRaw(r))}, flagd-core omits it`);
    }
    for (const key of refByKey.keys()) {
      if (!skipKeys.has(key)) check.fail(`context #${i} flag ${key}`, 'flagd-core answers it, ours does not');
    }
  });
  return `${check.assert()}; ${fmtInt(skipped)} value-less/disabled answers not compared (resolveAll omits them)`;
}
