import bundledConfig from '../../config/flags.json';
import { buildSnapshot } from '../core/config/build-snapshot';
import { environmentsOf } from '../core/config/environments';
import { validateConfig } from '../core/config/validate';
import { type RollgateConfig, zRollgateConfig } from '../core/schema/config';
import type { Snapshot } from '../core/schema/snapshot';

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

/**
 * The fallback snapshot of an environment: the bundled config at version 0, accepting the
 * client keys listed for it in FALLBACK_CLIENT_KEYS, evaluate-only (they are meant for SDKs, and
 * health reports go to the coordinator through KV-published keys). Served only when KV never answered.
 */
export function fallbackSnapshot(environment: string, keyHashes: readonly string[]): Snapshot | undefined {
  const config = bundledConfigOf();
  if (!config || !bundledEnvironments().includes(environment)) return undefined;
  return buildSnapshot(config, {
    environment,
    version: 0,
    publishedAt: 0,
    // `fallback:N` is a name no issued key can have (names are letters, digits, . _ -), so a
    // fallback key never shares a rate-limit counter (`<env>:<name>`) with an issued key.
    clientKeys: keyHashes.map((sha256, i) => ({ name: `fallback:${i + 1}`, sha256, scopes: ['evaluate'] })),
  });
}
