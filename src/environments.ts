/**
 * The environments this Worker serves and the config it was built with: config/flags.json,
 * bundled at build time. The cron ticks these environments, the edge answers for them, and the
 * fallback snapshot (store/fallback.ts) serves this config when KV has never answered.
 */
import bundledConfig from '../config/flags.json';
import { environmentsOf } from './core/config/environments';
import { validateConfig } from './core/config/validate';
import { type RollgateConfig, zRollgateConfig } from './core/schema/config';

let validated: RollgateConfig | null | undefined;

/** The config bundled at build time from config/flags.json, validated on first use (null if invalid). */
export function bundledConfigOf(): RollgateConfig | null {
  if (validated === undefined) {
    const result = validateConfig(bundledConfig);
    validated = result.ok ? result.config : null;
  }
  return validated;
}

let names: string[] | undefined;

/**
 * Environment names of the bundled config: the environments this Worker serves. Read from the
 * `environments` list alone, so a flag problem in the bundled file cannot take every environment away.
 */
export function bundledEnvironments(): string[] {
  if (!names) {
    const parsed = zRollgateConfig.shape.environments.safeParse((bundledConfig as { environments?: unknown }).environments);
    names = environmentsOf({ environments: parsed.success ? parsed.data : undefined }).map((e) => e.name);
  }
  return names;
}
