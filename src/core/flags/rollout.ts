import { bucketOf, bucketPrefix } from '../bucketing';
import type { ActiveRollout } from '../schema/flag';
import type { CompiledFlag, ResultTable } from './compile-flag';

/** Rollout percentages are bucketed in basis points, so 0.01 % steps are exact. */
const BASIS_POINTS = 10000;

/**
 * Lays an active rollout over a flag: a targeting match keeps its result, everyone else is
 * split by targetingKey between the rollout variant (the low buckets, so a user who is in at
 * 5 % stays in at every higher percentage) and the baseline variant. Reason SPLIT. The bucketing
 * key is `rolloutId + targetingKey`: salted with the rollout id, so the cohorts of successive
 * rollouts are independent. A request without a targetingKey cannot be bucketed: it gets the
 * baseline (reason DEFAULT) below 100 %, and the variant at 100 %, where everyone has it.
 */
export function applyRollout(base: CompiledFlag, rollout: ActiveRollout, results: ResultTable, defaultVariant: string | undefined): CompiledFlag {
  const treatment = results.get(rollout.variant, 'SPLIT');
  const baselineVariant = rollout.baselineVariant ?? defaultVariant;
  const baseline = baselineVariant === undefined ? results.forDefault(undefined, 'DEFAULT') : results.get(baselineVariant, 'SPLIT');
  const keyless = baselineVariant === undefined ? baseline : results.get(baselineVariant, 'DEFAULT');
  const threshold = Math.round(rollout.percent * 100);
  const prefix = bucketPrefix(rollout.id);
  return {
    key: base.key,
    evaluate(context, timestamp) {
      const own = base.evaluate(context, timestamp);
      if (own.reason === 'TARGETING_MATCH' || own.reason === 'ERROR') return own;
      const targetingKey = context['targetingKey'];
      if (typeof targetingKey !== 'string' || targetingKey === '') return threshold >= BASIS_POINTS ? treatment : keyless;
      return bucketOf(prefix, targetingKey, BASIS_POINTS) < threshold ? treatment : baseline;
    },
  };
}
