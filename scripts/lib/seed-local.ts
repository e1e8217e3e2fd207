import { isProtected } from '../../src/core/config/environments';
import { sameJson } from '../../src/core/config/diff';
import type { RollgateConfig } from '../../src/core/schema/config';
import { environmentsOf } from '../../src/core/config/environments';
import { decideSeed, describeSkip } from './seed-decision';
import { memorySeedRecord, type SeedRecordStore, sha256OfBytes } from './seed-record';

/** The fixed local client key of an environment (scope `evaluate`), documented in the README. */
export function devClientKey(environment: string): string {
  return `dev-client-${environment}`;
}

/** The fixed local report key of an environment (scope `report`, for POST /v1/metrics), documented in the README. */
export function devReportKey(environment: string): string {
  return `dev-report-${environment}`;
}

/** The local keys every environment gets: imported, so each is a no-op when already present. */
const DEV_KEYS = [
  { name: 'dev', secret: devClientKey, scopes: ['evaluate'] },
  { name: 'dev-report', secret: devReportKey, scopes: ['report'] },
] as const;

/** The local admin token, an operator on every environment. */
export const DEV_ADMIN_TOKEN = 'dev-admin-token';

/** How npm start seeds: what the file was, and where it remembers what it wrote. */
export interface SeedOptions {
  /** SHA-256 of the file's content; defaults to that of the config's JSON. */
  fileHash?: string;
  /** Where the last seed of each environment is remembered; defaults to memory (a fresh Worker). */
  record?: SeedRecordStore;
  /** The file, for messages. */
  file?: string;
}

/** The CLI command that pushes `file` to an environment of the Worker at `baseUrl`. */
export function pushCommand(baseUrl: string, environment: string, file: string): string {
  const url = baseUrl === 'http://127.0.0.1:8787' ? '' : ` --url ${baseUrl}`;
  return `npx rollgate push ${file} --env ${environment}${url}`;
}

/**
 * Seeds every environment through the admin API, as an operator would: the dev client and
 * report keys (imported; a no-op when present), then the config, only as decideSeed allows: into an empty
 * environment, or over what the last seed wrote when the file changed and the environment is not
 * protected. Returns one line per environment, saying what was written or kept and why.
 */
export async function seedLocal(baseUrl: string, config: RollgateConfig, options: SeedOptions = {}): Promise<string[]> {
  const file = options.file ?? 'config/flags.json';
  const fileHash = options.fileHash ?? sha256OfBytes(JSON.stringify(config));
  const record = options.record ?? memorySeedRecord();
  const lines: string[] = [];
  for (const { name } of environmentsOf(config)) {
    // Seeding is npm start's deliberate act, so it confirms; decideSeed keeps it from overwriting anything.
    const headers = { authorization: `Bearer ${DEV_ADMIN_TOKEN}`, 'content-type': 'application/json', 'x-rollgate-confirm': name };
    for (const dev of DEV_KEYS) {
      const key = await fetch(`${baseUrl}/admin/v1/environments/${name}/keys`, {
        method: 'POST',
        headers,
        body: JSON.stringify({ name: dev.name, secret: dev.secret(name), scopes: dev.scopes }),
      });
      if (!key.ok) throw new Error(`seeding the ${dev.name} key of ${name} failed: ${key.status} ${await key.text()}`);
    }
    const keys = `client key ${devClientKey(name)}, report key ${devReportKey(name)}`;

    const live = await fetch(`${baseUrl}/admin/v1/environments/${name}/flags`, { headers });
    let current: { version: number; document: RollgateConfig } | null = null;
    if (live.ok) current = await live.json<{ version: number; document: RollgateConfig }>();
    else if (live.status !== 404) throw new Error(`reading the config of ${name} failed: ${live.status} ${await live.text()}`);
    const lastSeed = record.get(name);
    const decision = decideSeed({
      liveVersion: current?.version ?? null,
      liveMatchesFile: current !== null && sameJson(current.document, config),
      lastSeed,
      fileHash,
      protected: isProtected(current?.document ?? null, name) || isProtected(config, name),
    });
    if (decision.action === 'skip') {
      lines.push(`${name}: ${keys}; ${describeSkip(name, decision, lastSeed, file, pushCommand(baseUrl, name, file))}`);
      continue;
    }
    if (decision.action === 'up-to-date') {
      if (decision.record) record.set(name, { hash: fileHash, version: decision.version });
      lines.push(`${name}: config version ${decision.version} (unchanged), ${keys}`);
      continue;
    }
    const put = await fetch(`${baseUrl}/admin/v1/environments/${name}/flags`, {
      method: 'PUT',
      headers: { ...headers, 'if-match': `"${decision.ifMatch}"`, 'x-rollgate-reason': 'npm start seed' },
      body: JSON.stringify(config),
    });
    const body = await put.json<{ version?: number; changed?: boolean; currentVersion?: number; error?: string; errors?: unknown }>();
    if (put.status === 412) {
      // Someone wrote between the read and the write: theirs stays.
      const version = body.currentVersion ?? decision.ifMatch;
      lines.push(`${name}: ${keys}; ${describeSkip(name, { reason: 'changed-through-api', version }, lastSeed, file, pushCommand(baseUrl, name, file))}`);
      continue;
    }
    if (!put.ok || typeof body.version !== 'number') throw new Error(`seeding ${name} failed: ${put.status} ${JSON.stringify(body)}`);
    record.set(name, { hash: fileHash, version: body.version });
    lines.push(`${name}: seeded ${file} as config version ${body.version}${body.changed ? '' : ' (unchanged)'}, ${keys}`);
  }
  return lines;
}
