import { environmentsOf } from '../core/config/environments';
import type { RollgateConfig } from '../core/schema/config';

/** Whether writes to `environment` need confirmation, per the config that describes it. */
export function isProtected(config: RollgateConfig | null, environment: string): boolean {
  if (!config) return environment === 'production';
  const env = environmentsOf(config).find((e) => e.name === environment);
  return env ? env.protected : environment === 'production';
}
