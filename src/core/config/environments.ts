import { DEFAULT_ENVIRONMENTS, type HealthCheck, type RollgateConfig } from '../schema/config';

/** An environment with its settings resolved. */
export interface Environment {
  name: string;
  /** Writes to a protected environment need an explicit confirmation. */
  protected: boolean;
  healthChecks: HealthCheck[];
}

/** The environments a config describes; production is protected unless it says otherwise. */
export function environmentsOf(config: Pick<RollgateConfig, 'environments'>): Environment[] {
  const specs = config.environments ?? DEFAULT_ENVIRONMENTS;
  return specs.map((spec) =>
    typeof spec === 'string'
      ? { name: spec, protected: spec === 'production', healthChecks: [] }
      : { name: spec.name, protected: spec.protected ?? spec.name === 'production', healthChecks: spec.healthChecks ?? [] },
  );
}

/** The environment named `name` as the config describes it, or undefined when it does not list it. */
export function environmentOf(config: Pick<RollgateConfig, 'environments'>, name: string): Environment | undefined {
  return environmentsOf(config).find((e) => e.name === name);
}

/** Whether writes to `environment` need confirmation, per the config that describes it (production when none does). */
export function isProtected(config: RollgateConfig | null, environment: string): boolean {
  if (!config) return environment === 'production';
  const env = environmentOf(config, environment);
  return env ? env.protected : environment === 'production';
}
