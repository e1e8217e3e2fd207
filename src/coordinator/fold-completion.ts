import { validateConfig } from '../core/config/validate';
import { ownValue } from '../core/json';
import type { Rollout } from '../core/schema/rollout';
import { SYSTEM_ACTOR } from './actors';
import type { CoordinatorState } from './state';

/**
 * Makes a completed rollout's variant the flag's default in this environment, as a new config
 * version, so that users stay on it once the rollout leaves the snapshot. Runs inside the
 * transaction that completes the rollout, so no snapshot ever serves the old default in between.
 * Returns why it could not (the rollout stays completed; the caller records the failure), or null.
 */
export function foldCompletion(s: CoordinatorState, r: Rollout, now: number): string | null {
  const current = s.configs.latest();
  if (!current) return 'no config has been written to this environment';
  const flag = ownValue(current.config.flags, r.flag);
  if (!flag) return `flag "${r.flag}" is no longer in the config`;
  const env = s.environment();
  const next = structuredClone(current.config);
  next.flags[r.flag] = {
    ...flag,
    environments: { ...flag.environments, [env]: { ...ownValue(flag.environments, env), defaultVariant: r.variant } },
  };
  const checked = validateConfig(next);
  if (!checked.ok) return `the config with "${r.variant}" as the default is invalid: ${checked.errors.map((e) => `${e.path} ${e.message}`).join('; ')}`;
  const v = s.configs.append(checked.config, now, SYSTEM_ACTOR, `rollout ${r.id} completed`);
  s.audit.append(now, {
    actor: SYSTEM_ACTOR,
    action: 'config.rollout_completed',
    target: `config v${v.version}`,
    flags: [r.flag],
    reason: `rollout ${r.id} completed: "${r.variant}" is now the default of ${r.flag} in ${env}`,
    diff: { fromVersion: current.version, toVersion: v.version, flag: r.flag, environment: env, defaultVariant: { after: r.variant } },
  });
  return null;
}
