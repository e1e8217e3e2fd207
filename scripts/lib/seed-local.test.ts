import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { isProtected } from '../../src/coordinator/protection';
import type { RollgateConfig } from '../../src/core/schema/config';
import { seedLocal } from './seed-local';
import { fileSeedRecord, SEED_RECORD_FILE, sha256OfBytes } from './seed-record';

const BASE = 'http://127.0.0.1:8787';

const CONFIG: RollgateConfig = {
  environments: ['development', 'staging', { name: 'production', protected: true }],
  flags: { 'new-checkout': { state: 'ENABLED', variants: { on: true, off: false }, defaultVariant: 'off' } },
};
const CHANGED: RollgateConfig = { ...CONFIG, flags: { 'new-checkout': { state: 'ENABLED', variants: { on: true, off: false }, defaultVariant: 'on' } } };

/** The admin API as far as seeding uses it: configs with versions and If-Match, keys, and the 428 rule. */
class FakeWorker {
  readonly envs = new Map<string, { versions: RollgateConfig[]; keys: Set<string> }>();
  writes: string[] = [];

  env(name: string) {
    let e = this.envs.get(name);
    if (!e) this.envs.set(name, (e = { versions: [], keys: new Set() }));
    return e;
  }

  /** A change through the API, as an operator's push would make it. */
  apiPut(name: string, doc: RollgateConfig): void {
    this.env(name).versions.push(doc);
  }

  fetch = async (input: string | URL | Request, init: RequestInit = {}): Promise<Response> => {
    const url = new URL(input instanceof Request ? input.url : input);
    const headers = new Headers(init.headers);
    const m = /^\/admin\/v1\/environments\/([a-z-]+)\/(flags|keys)$/.exec(url.pathname);
    if (!m || headers.get('authorization') !== 'Bearer dev-admin-token') return Response.json({ error: 'nope' }, { status: 404 });
    const [, name, what] = m as unknown as [string, string, string];
    const e = this.env(name);
    const latest = e.versions.at(-1) ?? null;
    const method = init.method ?? 'GET';
    if (method === 'GET')
      return latest
        ? Response.json({ version: e.versions.length, document: latest })
        : Response.json({ error: 'no config has been written yet' }, { status: 404 });
    if (headers.get('x-rollgate-confirm') !== name && isProtected(latest, name)) return Response.json({ error: 'protected' }, { status: 428 });
    if (typeof init.body !== 'string') throw new Error('the fake admin API reads JSON text bodies only');
    const body = JSON.parse(init.body) as Record<string, unknown>;
    if (what === 'keys') {
      const changed = !e.keys.has(String(body['name']));
      e.keys.add(String(body['name']));
      return Response.json({ name: body['name'], key: body['secret'], changed }, { status: changed ? 201 : 200 });
    }
    const ifMatch = headers.get('if-match');
    if (ifMatch !== null && ifMatch !== `"${e.versions.length}"`)
      return Response.json({ error: 'changed', currentVersion: e.versions.length }, { status: 412 });
    this.writes.push(name);
    e.versions.push(body as unknown as RollgateConfig);
    return Response.json({ version: e.versions.length, changed: true, warnings: [] });
  };
}

let dir: string;
let worker: FakeWorker;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'rollgate-seed-'));
  worker = new FakeWorker();
  vi.stubGlobal('fetch', worker.fetch);
});
afterEach(() => {
  vi.unstubAllGlobals();
  rmSync(dir, { recursive: true, force: true });
});

/** One `npm start` seeding with `config` as the file's content. */
function seed(config: RollgateConfig): Promise<string[]> {
  const text = JSON.stringify(config, null, 2);
  return seedLocal(BASE, config, { fileHash: sha256OfBytes(text), record: fileSeedRecord(dir), file: 'config/flags.json' });
}

describe('npm start seeding', () => {
  it('seeds every empty environment (production too) and records what it wrote in the state directory', async () => {
    const lines = await seed(CONFIG);
    expect(worker.writes).toEqual(['development', 'staging', 'production']);
    expect(lines[2]).toBe('production: seeded config/flags.json as config version 1, client key dev-client-production, report key dev-report-production');
    const record = JSON.parse(readFileSync(join(dir, SEED_RECORD_FILE), 'utf8')) as { environments: Record<string, { hash: string; version: number }> };
    expect(record.environments['production']).toMatchObject({ hash: sha256OfBytes(JSON.stringify(CONFIG, null, 2)), version: 1 });
    expect([...worker.env('production').keys]).toEqual(['dev', 'dev-report']);
  });

  it('a restart with the same file writes nothing, and still imports the dev keys', async () => {
    await seed(CONFIG);
    worker.writes = [];
    worker.env('staging').keys.clear();
    const lines = await seed(CONFIG);
    expect(worker.writes).toEqual([]);
    expect(lines).toContain('staging: config version 1 (unchanged), client key dev-client-staging, report key dev-report-staging');
    expect([...worker.env('staging').keys]).toEqual(['dev', 'dev-report']);
  });

  it('a changed file is seeded into unprotected environments only; production is kept and the line says how to push', async () => {
    await seed(CONFIG);
    worker.writes = [];
    const lines = await seed(CHANGED);
    expect(worker.writes).toEqual(['development', 'staging']);
    expect(worker.env('production').versions).toEqual([CONFIG]);
    expect(lines[2]).toBe(
      'production: client key dev-client-production, report key dev-report-production; kept config version 1; config/flags.json changed since the last seed, but "production" is protected, so npm start does not write it. To apply it: npx rollgate push config/flags.json --env production',
    );
    // Next start with the same changed file: staging is up to date, production still kept.
    worker.writes = [];
    const again = await seed(CHANGED);
    expect(worker.writes).toEqual([]);
    expect(again[2]).toContain('production: client key dev-client-production, report key dev-report-production; kept config version 1');
  });

  it('never overwrites a config changed through the API since the seed, even in an unprotected environment', async () => {
    await seed(CONFIG);
    const theirs: RollgateConfig = { ...CONFIG, flags: { ...CONFIG.flags, extra: { state: 'ENABLED', variants: { a: 1 }, defaultVariant: 'a' } } };
    worker.apiPut('staging', theirs);
    worker.writes = [];
    const lines = await seed(CHANGED);
    expect(worker.writes).toEqual(['development']);
    expect(worker.env('staging').versions.at(-1)).toEqual(theirs);
    expect(lines[1]).toContain(
      'staging: client key dev-client-staging, report key dev-report-staging; kept config version 2; it was changed through the admin API after npm start seeded version 1',
    );
  });

  it('without a seed record (older state), existing configs are kept; one equal to the file is adopted', async () => {
    worker.apiPut('development', CONFIG);
    worker.apiPut('staging', CHANGED);
    const lines = await seed(CONFIG);
    expect(worker.writes).toEqual(['production']);
    expect(lines[0]).toBe('development: config version 1 (unchanged), client key dev-client-development, report key dev-report-development');
    expect(lines[1]).toContain('staging: client key dev-client-staging, report key dev-report-staging; kept config version 1; npm start did not write it');
    // development was adopted: a file change now seeds it.
    worker.writes = [];
    await seed(CHANGED);
    expect(worker.writes).toEqual(['development']);
  });

  it('a garbage seed record counts as none: configs are kept, never overwritten', async () => {
    await seed(CONFIG);
    for (const garbage of ['{"environments":{"staging":{"hash":"x","version":1}}}', 'not json', '[]']) {
      writeFileSync(join(dir, SEED_RECORD_FILE), garbage);
      expect(fileSeedRecord(dir).problem).toMatch(/is not a seed record/);
      worker.writes = [];
      await seed(CHANGED);
      expect(worker.writes).toEqual([]);
    }
    // An environment key that names a prototype property is no entry at all.
    writeFileSync(join(dir, SEED_RECORD_FILE), '{"environments":{"__proto__":{"hash":"x","version":1}}}');
    const record = fileSeedRecord(dir);
    expect(record.get('__proto__')).toBeNull();
    expect(record.get('toString')).toBeNull();
  });
});
