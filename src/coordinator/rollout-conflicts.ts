import { resolveFlag } from '../core/config/resolve-environment';
import { ownValue } from '../core/json';
import type { RollgateConfig } from '../core/schema/config';
import type { Rollout } from '../core/schema/rollout';

/** Why a config would break an active rollout: the flag or one of its variants would be gone. */
export interface RolloutConflict {
  rolloutId: string;
  flag: string;
  problem: string;
}

/** The active rollouts that `config` would break in `environment`. */
export function rolloutConflicts(config: RollgateConfig, environment: string, active: readonly Rollout[]): RolloutConflict[] {
  const out: RolloutConflict[] = [];
  for (const r of active) {
    const flag = ownValue(config.flags, r.flag);
    if (!flag) {
      out.push({ rolloutId: r.id, flag: r.flag, problem: `flag "${r.flag}" is in rollout ${r.id} and cannot be removed` });
      continue;
    }
    const resolved = resolveFlag(flag, environment);
    for (const v of [r.variant, r.baselineVariant]) {
      if (v !== null && !Object.hasOwn(resolved.variants, v)) {
        out.push({ rolloutId: r.id, flag: r.flag, problem: `variant "${v}" of "${r.flag}" is in rollout ${r.id} and cannot be removed` });
      }
    }
  }
  return out;
}
