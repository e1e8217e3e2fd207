import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildSnapshot } from '../../src/core/config/build-snapshot';
import { environmentsOf } from '../../src/core/config/environments';
import type { RollgateConfig } from '../../src/core/schema/config';
import { snapshotKey } from '../../src/store/keys';

/** The fixed local client key of an environment, documented in the README. */
export function devClientKey(environment: string): string {
  return `dev-client-${environment}`;
}

function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

/** Versions seeded before, so that a changed config gets a higher version on every restart. */
interface SeedState {
  [environment: string]: { version: number; digest: string };
}

/**
 * The KV entries that seed every environment of `config` locally: one snapshot each, with the
 * dev client key, at a version one above the last seeded one when the content changed.
 */
export function localSeedEntries(config: RollgateConfig, stateDir: string, now: number): { key: string; value: string }[] {
  const stateFile = join(stateDir, 'rollgate-seed.json');
  const state: SeedState = existsSync(stateFile) ? (JSON.parse(readFileSync(stateFile, 'utf8')) as SeedState) : {};
  const entries = environmentsOf(config).map(({ name }) => {
    const clientKeys = [{ name: 'dev', sha256: sha256(devClientKey(name)) }];
    const probe = buildSnapshot(config, { environment: name, version: 0, publishedAt: 0, clientKeys });
    const digest = sha256(JSON.stringify(probe));
    const previous = state[name];
    const version = previous && previous.digest === digest ? previous.version : (previous?.version ?? 0) + 1;
    state[name] = { version, digest };
    const snapshot = buildSnapshot(config, { environment: name, version, publishedAt: now, clientKeys });
    return { key: snapshotKey(name), value: JSON.stringify(snapshot) };
  });
  mkdirSync(stateDir, { recursive: true });
  writeFileSync(stateFile, JSON.stringify(state, null, 2));
  return entries;
}
