import bundledConfig from '../../config/flags.json';
import { buildSnapshot } from '../core/config/build-snapshot';
import { environmentsOf } from '../core/config/environments';
import { validateConfig } from '../core/config/validate';
import type { RollgateConfig } from '../core/schema/config';
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

/** Environment names of the bundled config: the environments this Worker serves. */
export function bundledEnvironments(): string[] {
  const config = bundledConfigOf();
  return config ? environmentsOf(config).map((e) => e.name) : [];
}

/**
 * The fallback snapshot of an environment: the bundled config at version 0, accepting the
 * client keys listed for it in FALLBACK_CLIENT_KEYS. Served only when KV never answered.
 */
export function fallbackSnapshot(environment: string, keyHashes: readonly string[]): Snapshot | undefined {
  const config = bundledConfigOf();
  if (!config || !bundledEnvironments().includes(environment)) return undefined;
  return buildSnapshot(config, {
    environment,
    version: 0,
    publishedAt: 0,
    clientKeys: keyHashes.map((sha256, i) => ({ name: `fallback-${i + 1}`, sha256 })),
  });
}
