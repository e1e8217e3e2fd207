import { validateConfig } from '../core/config/validate';
import { ownValue } from '../core/json';
import type { Rollout } from '../core/schema/rollout';
import { SYSTEM_ACTOR } from './actors';
import type { CoordinatorState } from './state';

/**
 * Makes a completed rollout's variant the flag's default in this environment, as a new config
 * version, so that users stay on it once the rollout leaves the snapshot. Runs inside the
 * transaction that completes the rollout, so no snapshot ever serves the old default in between.
 */
export function foldCompletion(s: CoordinatorState, r: Rollout, now: number): void {
  const current = s.configs.latest();
  const flag = ownValue(current?.config.flags, r.flag);
  if (!current || !flag) return;
  const env = s.environment();
  const next = structuredClone(current.config);
  next.flags[r.flag] = {
    ...flag,
    environments: { ...flag.environments, [env]: { ...ownValue(flag.environments, env), defaultVariant: r.variant } },
  };
  const checked = validateConfig(next);
  if (!checked.ok) return;
  const v = s.configs.append(checked.config, now, SYSTEM_ACTOR, `rollout ${r.id} completed`);
  s.audit.append(now, {
    actor: SYSTEM_ACTOR,
    action: 'config.rollout_completed',
    target: `config v${v.version}`,
    flags: [r.flag],
    reason: `rollout ${r.id} completed: "${r.variant}" is now the default of ${r.flag} in ${env}`,
    diff: { fromVersion: current.version, toVersion: v.version, flag: r.flag, environment: env, defaultVariant: { after: r.variant } },
  });
}
