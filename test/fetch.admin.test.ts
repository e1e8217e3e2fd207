import { reset } from 'cloudflare:test';
import { env } from 'cloudflare:workers';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { resolveEnvironment } from '../src/core/config/resolve-environment';
import type { RollgateConfig } from '../src/core/schema/config';
import { sha256Hex } from '../src/core/sha256';
import { snapshotKey } from '../src/store/keys';
import { admin, adminTokensVar, TOKEN_NAMES, TOKENS } from './helpers/admin';
import { TestClock } from './helpers/clock';
import { configWith, kvSnapshot, runPublishAlarm, validConfig } from './helpers/coordinator';
import { Harness } from './helpers/harness';

// Response bodies are checked field by field; a loose type keeps that readable.
type Json = Record<string, any>;

const OFREP = '/ofrep/v1/evaluate/flags';
const STAGING = '/environments/staging';
const SNAPSHOT_REFRESH_MS = 5000;

let h: Harness;
let clock: TestClock;

beforeEach(async () => {
  h = new Harness();
  h.vars = { ADMIN_TOKENS: await adminTokensVar() };
  clock = new TestClock(h);
});
afterEach(async () => {
  clock.restore();
  await reset();
});

async function json(res: Response): Promise<Json> {
  return await res.json<Json>();
}

/** PUTs a config document as the editor unless told otherwise. */
function putConfig(environment: string, document: unknown, options: { token?: string; headers?: Record<string, string> } = {}): Promise<Response> {
  return admin(h, 'PUT', `/environments/${environment}/flags`, { token: options.token ?? TOKENS.editor, body: document, headers: options.headers ?? {} });
}

/** The whole audit log of an environment, newest first. */
async function auditOf(environment: string, query = ''): Promise<Json[]> {
  const res = await admin(h, 'GET', `/environments/${environment}/audit?limit=500${query}`, { token: TOKENS.viewer });
  expect(res.status).toBe(200);
  return (await json(res))['entries'] as Json[];
}

/** The current config version of an environment, through the API. */
async function versionOf(environment: string): Promise<number | null> {
  const res = await admin(h, 'GET', `/environments/${environment}/flags`, { token: TOKENS.viewer });
  return res.status === 200 ? ((await json(res))['version'] as number) : null;
}

/** Everything a refused write must leave as it was. */
async function stateOf(environment: string): Promise<Json> {
  const config = await admin(h, 'GET', `/environments/${environment}/flags`, { token: TOKENS.viewer });
  return {
    config: config.status === 200 ? await json(config) : config.status,
    audit: await auditOf(environment),
    kv: await env.FLAGS.get(snapshotKey(environment)),
  };
}

/** Writes the valid config to staging and checks it was accepted. */
async function seedStaging(document: RollgateConfig = validConfig()): Promise<void> {
  const res = await putConfig('staging', document);
  expect(res.status).toBe(200);
}

/** Issues a client key in an environment (a second after the last publish, so it publishes at once); returns the secret. */
async function issueKey(environment: string, name: string): Promise<string> {
  clock.advance(1000);
  const res = await admin(h, 'POST', `/environments/${environment}/keys`, { body: { name } });
  expect(res.status).toBe(201);
  return (await json(res))['key'] as string;
}

function evaluate(flag: string, key: string, targetingKey = 'user-1'): Promise<Response> {
  return h.evaluate(`${OFREP}/${flag}`, { context: { targetingKey } }, key);
}

describe('admin authentication and authorization', () => {
  it('answers 401 without a token', async () => {
    for (const [method, path] of [
      ['GET', '/environments'],
      ['GET', `${STAGING}/flags`],
      ['PUT', `${STAGING}/flags`],
      ['POST', `${STAGING}/keys`],
    ] as const) {
      const res = await admin(h, method, path, { token: null, body: method === 'GET' ? undefined : validConfig() });
      expect({ method, path, status: res.status }).toEqual({ method, path, status: 401 });
    }
    expect(await versionOf('staging')).toBeNull();
  });

  it('authenticates first: 401 without a valid token, even for an unknown environment, action or route', async () => {
    for (const token of [null, 'garbage']) {
      for (const [method, path] of [
        ['GET', '/environments/qa/flags'],
        ['PUT', '/environments/qa/flags'],
        ['GET', '/environments/qa/audit'],
        ['DELETE', '/environments/qa/keys/web'],
        ['POST', `${STAGING}/rollouts/ro_x/explode`],
        ['GET', '/no-such-route'],
      ] as const) {
        const res = await admin(h, method, path, { token, body: method === 'PUT' ? validConfig() : undefined });
        expect({ token, method, path, status: res.status }).toEqual({ token, method, path, status: 401 });
        expect(await res.text()).not.toContain('qa');
      }
    }
  });

  it('answers 401 to garbage and forged tokens, naming no configured token', async () => {
    const operatorHash = await sha256Hex(TOKENS.operator);
    const attempts: Record<string, string>[] = [
      { authorization: 'Bearer garbage' },
      { authorization: `Bearer ${operatorHash}` }, // the stored hash is not the token
      { authorization: 'Bearer alice-operator' }, // nor is the name
      { authorization: `Bearer ${TOKENS.operator}x` },
      { authorization: `Bearer ${TOKENS.operator.slice(0, -1)}` },
      { authorization: `Basic ${btoa(`alice-operator:${TOKENS.operator}`)}` },
      { authorization: 'Bearer' },
      { 'x-api-key': TOKENS.operator }, // admin tokens are accepted only as Bearer
    ];
    const secrets = [...TOKEN_NAMES, ...(await Promise.all(Object.values(TOKENS).map((t) => sha256Hex(t))))];
    for (const headers of attempts) {
      for (const [method, path] of [
        ['GET', '/environments'],
        ['PUT', `${STAGING}/flags`],
      ] as const) {
        const res = await h.fetch(`/admin/v1${path}`, {
          method,
          headers: { 'content-type': 'application/json', ...headers },
          ...(method === 'PUT' ? { body: JSON.stringify(validConfig()) } : {}),
        });
        const text = await res.text();
        expect({ headers, status: res.status }).toEqual({ headers, status: 401 });
        for (const s of secrets) expect(text).not.toContain(s);
      }
    }
    expect(await versionOf('staging')).toBeNull();
  });

  it('answers 403 naming the role when the role is too weak, and changes nothing', async () => {
    await seedStaging();
    const before = await stateOf('staging');

    const viewerPut = await putConfig(
      'staging',
      configWith((c) => (c.flags['static-bool']!.defaultVariant = 'off')),
      { token: TOKENS.viewer },
    );
    expect(viewerPut.status).toBe(403);
    const viewerError = (await json(viewerPut))['error'] as string;
    expect(viewerError).toContain('viewer');
    expect(viewerError).toContain('editor');

    const editorRollout = await admin(h, 'POST', `${STAGING}/rollouts`, {
      token: TOKENS.editor,
      body: { flag: 'new-checkout', variant: 'on', strategy: 'safe' },
    });
    expect(editorRollout.status).toBe(403);
    expect((await json(editorRollout))['error']).toMatch(/editor.*operator/);

    const editorKey = await admin(h, 'POST', `${STAGING}/keys`, { token: TOKENS.editor, body: { name: 'k' } });
    expect(editorKey.status).toBe(403);

    const viewerRevert = await admin(h, 'POST', `${STAGING}/flags/revert`, { token: TOKENS.viewer, body: { version: 1 } });
    expect(viewerRevert.status).toBe(403);

    expect(await stateOf('staging')).toEqual(before);
  });

  it('answers 403 to a token scoped to staging on production, and lists only its environments', async () => {
    await seedStaging();
    const own = await admin(h, 'GET', `${STAGING}/flags`, { token: TOKENS.stagingViewer });
    expect(own.status).toBe(200);
    for (const path of ['/environments/production/flags', '/environments/production/audit', '/environments/production/rollouts']) {
      const res = await admin(h, 'GET', path, { token: TOKENS.stagingViewer });
      expect({ path, status: res.status }).toEqual({ path, status: 403 });
      expect((await json(res))['error']).toContain('production');
    }

    const scoped = await json(await admin(h, 'GET', '/environments', { token: TOKENS.stagingViewer }));
    expect(scoped['environments'].map((e: Json) => e['environment'])).toEqual(['staging']);
    expect(scoped['environments'][0]).toMatchObject({ environment: 'staging', configVersion: 1, snapshotVersion: 1, publishedVersion: 1, activeRollouts: [] });

    const all = await json(await admin(h, 'GET', '/environments', { token: TOKENS.viewer }));
    expect(all['environments'].map((e: Json) => e['environment'])).toEqual(['development', 'staging', 'production']);
  });

  it('records the token name as the actor of every write', async () => {
    await seedStaging(); // editor
    clock.advance(1000);
    expect(
      (
        await putConfig(
          'staging',
          configWith((c) => (c.flags['static-bool']!.defaultVariant = 'off')),
        )
      ).status,
    ).toBe(200); // editor
    clock.advance(1000);
    expect((await admin(h, 'POST', `${STAGING}/flags/revert`, { token: TOKENS.editor, body: { version: 1 } })).status).toBe(200);
    await issueKey('staging', 'web'); // operator
    clock.advance(1000);
    const started = await admin(h, 'POST', `${STAGING}/rollouts`, { body: { flag: 'new-checkout', variant: 'on', strategy: 'safe' } });
    expect(started.status).toBe(201);
    const id = (await json(started))['id'] as string;
    clock.advance(1000);
    expect((await admin(h, 'POST', `${STAGING}/rollouts/${id}/pause`, { body: { reason: 'look' } })).status).toBe(200);
    clock.advance(1000);
    expect((await admin(h, 'DELETE', `${STAGING}/keys/web`)).status).toBe(200);

    const entries = await auditOf('staging');
    expect(entries.map((e) => [e['action'], e['actor']])).toEqual([
      ['key.revoke', 'alice-operator'],
      ['rollout.pause', 'alice-operator'],
      ['rollout.start', 'alice-operator'],
      ['key.issue', 'alice-operator'],
      ['config.revert', 'erin-editor'],
      ['config.put', 'erin-editor'],
      ['config.put', 'erin-editor'],
    ]);
    expect(entries.every((e) => e['environment'] === 'staging')).toBe(true);
    // The stored config versions carry the actor too.
    expect(await json(await admin(h, 'GET', `${STAGING}/flags`))).toMatchObject({ version: 3, actor: 'erin-editor' });
  });
});

describe('config', () => {
  it('PUT stores a valid config as version 1 with an ETag; GET returns it', async () => {
    const res = await putConfig('staging', validConfig());
    expect(res.status).toBe(200);
    expect(res.headers.get('etag')).toBe('"1"');
    expect(await json(res)).toMatchObject({ version: 1, changed: true });

    const got = await admin(h, 'GET', `${STAGING}/flags`, { token: TOKENS.viewer });
    expect(got.status).toBe(200);
    expect(got.headers.get('etag')).toBe('"1"');
    expect(await json(got)).toEqual({ version: 1, document: validConfig(), updatedAt: new Date(clock.now).toISOString(), actor: 'erin-editor' });

    const [entry] = await auditOf('staging');
    expect(entry).toMatchObject({ action: 'config.put', target: 'config v1', diff: { fromVersion: null, toVersion: 1 } });
    expect(entry!['diff']['changes'].map((c: Json) => [c['target'], c['change']])).toEqual(
      expect.arrayContaining([
        ['static-bool', 'added'],
        ['new-checkout', 'added'],
      ]),
    );
  });

  it('PUT of an identical document changes nothing: same version, no audit entry', async () => {
    await seedStaging();
    const kvBefore = await kvSnapshot('staging');
    clock.advance(1000);
    // The same document with its keys in another order is the same config.
    const reverseKeys = (v: unknown): unknown =>
      Array.isArray(v)
        ? v.map(reverseKeys)
        : v !== null && typeof v === 'object'
          ? Object.fromEntries(
              Object.entries(v)
                .reverse()
                .map(([k, x]) => [k, reverseKeys(x)]),
            )
          : v;
    const reordered = reverseKeys(validConfig());
    expect(JSON.stringify(reordered)).not.toBe(JSON.stringify(validConfig()));
    for (const doc of [validConfig(), reordered]) {
      const res = await putConfig('staging', doc);
      expect(res.status).toBe(200);
      expect(res.headers.get('etag')).toBe('"1"');
      expect(await json(res)).toMatchObject({ version: 1, changed: false });
    }
    expect(await auditOf('staging')).toHaveLength(1);
    expect(await kvSnapshot('staging')).toEqual(kvBefore);
  });

  it('422 lists every error with its JSON path, and nothing changes', async () => {
    await seedStaging();
    const before = await stateOf('staging');
    clock.advance(1000);

    const semantic = configWith((c) => {
      c.flags['broken'] = { state: 'ENABLED', variants: { a: 'a' }, defaultVariant: 'a', targeting: { nope: [1] } };
      c.flags['bad-default'] = { state: 'ENABLED', variants: { on: true, off: false }, defaultVariant: 'missing' };
      c.flags['mixed'] = { state: 'ENABLED', variants: { a: 1, b: 'x' }, defaultVariant: 'a' };
      c.flags['elsewhere'] = { state: 'ENABLED', variants: { on: true }, defaultVariant: 'on', environments: { qa: { defaultVariant: 'on' } } };
    });
    const res = await putConfig('staging', semantic);
    expect(res.status).toBe(422);
    const body = await json(res);
    const paths = (body['errors'] as Json[]).map((e) => e['path']);
    expect(paths).toEqual(
      expect.arrayContaining(['/flags/broken/targeting', '/flags/bad-default/defaultVariant', '/flags/mixed/variants', '/flags/elsewhere/environments/qa']),
    );
    expect((body['errors'] as Json[]).every((e) => typeof e['message'] === 'string' && e['message'].length > 0)).toBe(true);

    // Schema errors: every one, each at its path.
    const schema = { environments: ['staging'], flags: { a: { state: 'MAYBE', variants: { on: true }, defaultVariant: 'on' }, b: { state: 'ENABLED' } } };
    const res2 = await putConfig('staging', schema);
    expect(res2.status).toBe(422);
    const paths2 = ((await json(res2))['errors'] as Json[]).map((e) => e['path']);
    expect(paths2).toEqual(expect.arrayContaining(['/flags/a/state', '/flags/b/variants']));

    // A valid config that does not describe this environment.
    const elsewhere = configWith((c) => {
      c.environments = ['development'];
      delete c.flags['banner']!.environments;
    });
    const res3 = await putConfig('staging', elsewhere);
    expect(res3.status).toBe(422);
    expect((await json(res3))['errors']).toEqual([expect.objectContaining({ path: '/environments' })]);

    expect(await stateOf('staging')).toEqual(before);
  });

  it('answers 400 to malformed JSON and 413 to a body over 1 MiB, changing nothing', async () => {
    await seedStaging();
    const before = await stateOf('staging');
    clock.advance(1000);

    for (const bad of ['{"flags": ', '{flags: {}}', '']) {
      const res = await putConfig('staging', bad);
      expect({ bad, status: res.status }).toEqual({ bad, status: 400 });
      expect((await json(res))['error']).toEqual(expect.any(String));
    }
    const validate = await admin(h, 'POST', `${STAGING}/flags/validate`, { body: '{"flags": [' });
    expect(validate.status).toBe(400);

    const huge = configWith((c) => (c.metadata = { ...c.metadata, blob: 'x'.repeat(1024 * 1024) }));
    const res = await putConfig('staging', huge);
    expect(res.status).toBe(413);
    // Also when the size is only found while reading the stream.
    const text = JSON.stringify(huge);
    const stream = new ReadableStream({
      start(controller) {
        controller.enqueue(new TextEncoder().encode(text));
        controller.close();
      },
    });
    const streamed = await h.fetch(`/admin/v1${STAGING}/flags`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${TOKENS.editor}` },
      body: stream,
      duplex: 'half',
    } as RequestInit);
    expect(streamed.status).toBe(413);

    expect(await stateOf('staging')).toEqual(before);
  });

  it('answers 404 for an unknown environment', async () => {
    for (const [method, path, body] of [
      ['GET', '/environments/qa/flags', undefined],
      ['PUT', '/environments/qa/flags', { ...validConfig(), environments: ['qa'] }],
      ['POST', '/environments/qa/flags/validate', validConfig()],
      ['GET', '/environments/qa/rollouts', undefined],
      ['GET', '/environments/qa/audit', undefined],
      ['POST', '/environments/qa/keys', { name: 'k' }],
    ] as const) {
      const res = await admin(h, method, path, { body });
      expect({ method, path, status: res.status }).toEqual({ method, path, status: 404 });
      expect((await json(res))['error']).toContain('qa');
    }
  });

  it('If-Match: a stale version gets 412 and changes nothing; the current one succeeds', async () => {
    await seedStaging();
    clock.advance(1000);
    const v2 = await putConfig(
      'staging',
      configWith((c) => (c.flags['static-bool']!.defaultVariant = 'off')),
      { headers: { 'if-match': '"1"' } },
    );
    expect(v2.status).toBe(200);
    expect(v2.headers.get('etag')).toBe('"2"');
    const before = await stateOf('staging');

    clock.advance(1000);
    for (const ifMatch of ['"1"', 'W/"1"', '"3"', 'garbage']) {
      const stale = await putConfig(
        'staging',
        configWith((c) => (c.flags['banner']!.defaultVariant = 'staff')),
        { headers: { 'if-match': ifMatch } },
      );
      expect({ ifMatch, status: stale.status }).toEqual({ ifMatch, status: 412 });
      expect(await json(stale)).toMatchObject({ currentVersion: 2 });
    }
    expect(await stateOf('staging')).toEqual(before);

    const v3 = await putConfig(
      'staging',
      configWith((c) => (c.flags['banner']!.defaultVariant = 'staff')),
      { headers: { 'if-match': '"2"' } },
    );
    expect(v3.status).toBe(200);
    expect(await json(v3)).toMatchObject({ version: 3, changed: true });
  });

  it('a protected environment needs X-Rollgate-Confirm naming it: 428 without, 200 with', async () => {
    const before = await stateOf('production');
    const without = await putConfig('production', validConfig());
    expect(without.status).toBe(428);
    expect((await json(without))['error']).toContain('X-Rollgate-Confirm: production');
    const wrong = await putConfig('production', validConfig(), { headers: { 'x-rollgate-confirm': 'staging' } });
    expect(wrong.status).toBe(428);
    expect(await stateOf('production')).toEqual(before);

    const confirmed = await putConfig('production', validConfig(), { headers: { 'x-rollgate-confirm': 'production' } });
    expect(confirmed.status).toBe(200);
    expect(await json(confirmed)).toMatchObject({ version: 1, changed: true });

    // Staging is not protected.
    expect((await putConfig('staging', validConfig())).status).toBe(200);
  });

  it('POST .../flags/validate answers errors, warnings and a per-flag diff without changing anything', async () => {
    await seedStaging();
    const before = await stateOf('staging');
    clock.advance(1000);

    const candidate = configWith((c) => {
      c.flags['static-bool']!.defaultVariant = 'off';
      delete c.flags['disabled'];
      c.flags['new-flag'] = { state: 'ENABLED', variants: { on: true, off: false }, defaultVariant: 'off', metadata: { category: 'experimental' } };
    });
    const res = await admin(h, 'POST', `${STAGING}/flags/validate`, { token: TOKENS.viewer, body: candidate });
    expect(res.status).toBe(200);
    const body = await json(res);
    expect(body['valid']).toBe(true);
    expect(body['errors']).toEqual([]);
    // new-checkout is critical and defaults to a falsy variant.
    expect(body['warnings']).toEqual([expect.objectContaining({ path: '/flags/new-checkout/defaultVariant' })]);
    const diff = (body['diff'] as Json[]).map((d) => [d['target'], d['change']]);
    expect(diff).toEqual(
      expect.arrayContaining([
        ['static-bool', 'changed'],
        ['new-flag', 'added'],
        ['disabled', 'removed'],
      ]),
    );
    expect(diff).toHaveLength(3);
    expect((body['diff'] as Json[]).find((d) => d['target'] === 'static-bool')).toMatchObject({
      before: { defaultVariant: 'on' },
      after: { defaultVariant: 'off' },
    });

    const invalid = await admin(h, 'POST', `${STAGING}/flags/validate`, {
      body: configWith((c) => (c.flags['static-bool']!.defaultVariant = 'maybe')),
    });
    expect(invalid.status).toBe(200);
    expect(await json(invalid)).toMatchObject({ valid: false, errors: [expect.objectContaining({ path: '/flags/static-bool/defaultVariant' })], diff: [] });

    expect(await stateOf('staging')).toEqual(before);
  });

  it('POST .../flags/revert restores an earlier version as a new version', async () => {
    await seedStaging();
    const v1 = (await json(await admin(h, 'GET', `${STAGING}/flags`)))['document'];
    clock.advance(1000);
    const changed = configWith((c) => (c.flags['static-bool']!.defaultVariant = 'off'));
    expect((await putConfig('staging', changed)).status).toBe(200);

    clock.advance(1000);
    const res = await admin(h, 'POST', `${STAGING}/flags/revert`, { token: TOKENS.editor, body: { version: 1, reason: 'bad change' } });
    expect(res.status).toBe(200);
    expect(res.headers.get('etag')).toBe('"3"');
    expect(await json(res)).toMatchObject({ version: 3, changed: true });
    expect(await json(await admin(h, 'GET', `${STAGING}/flags`))).toMatchObject({ version: 3, document: v1 });
    const [entry] = await auditOf('staging');
    expect(entry).toMatchObject({ action: 'config.revert', reason: 'bad change', diff: { fromVersion: 2, toVersion: 3 } });
    expect((await kvSnapshot('staging'))!.flags['static-bool']!.defaultVariant).toBe('on');

    // Version 2 is still in the history and can be restored in turn; unknown versions are 404.
    clock.advance(1000);
    expect(await json(await admin(h, 'POST', `${STAGING}/flags/revert`, { token: TOKENS.editor, body: { version: 2 } }))).toMatchObject({ version: 4 });
    expect((await auditOf('staging'))[0]).toMatchObject({ action: 'config.revert', reason: 'revert to version 2' });
    const missing = await admin(h, 'POST', `${STAGING}/flags/revert`, { token: TOKENS.editor, body: { version: 99 } });
    expect(missing.status).toBe(404);
    expect(await versionOf('staging')).toBe(4);
  });

  it('20 concurrent PUTs with the same If-Match: exactly one 200, 19 × 412, one audit entry', async () => {
    await seedStaging();
    clock.advance(1000);
    const docs = Array.from({ length: 20 }, (_, i) =>
      configWith((c) => (c.flags[`concurrent-${i}`] = { state: 'ENABLED', variants: { on: true, off: false }, defaultVariant: 'on' })),
    );
    const responses = await Promise.all(docs.map((doc) => putConfig('staging', doc, { headers: { 'if-match': '"1"' } })));
    const statuses = responses.map((r) => r.status);
    expect(statuses.filter((s) => s === 200)).toHaveLength(1);
    expect(statuses.filter((s) => s === 412)).toHaveLength(19);

    const winner = statuses.indexOf(200);
    expect(await json(responses[winner]!)).toMatchObject({ version: 2, changed: true });
    const current = await json(await admin(h, 'GET', `${STAGING}/flags`));
    expect(current).toMatchObject({ version: 2, document: docs[winner] });
    const entries = await auditOf('staging');
    expect(entries).toHaveLength(2);
    expect(entries[0]).toMatchObject({ action: 'config.put', target: 'config v2' });
    expect(entries[0]!['diff']['changes']).toEqual([expect.objectContaining({ target: `concurrent-${winner}`, change: 'added' })]);
  });
});

describe('publishing', () => {
  it('puts a snapshot in KV after each change, with an increasing version and the resolved flags, served by OFREP', async () => {
    await seedStaging();
    const first = await kvSnapshot('staging');
    expect(first!.$rollgate).toMatchObject({ format: 1, environment: 'staging', version: 1, clientKeys: [] });
    expect(first!.flags).toEqual(resolveEnvironment(validConfig(), 'staging').flags);

    const key = await issueKey('staging', 'web');
    const second = await kvSnapshot('staging');
    expect(second!.$rollgate.version).toBeGreaterThan(first!.$rollgate.version);
    expect(second!.$rollgate.clientKeys).toEqual([{ name: 'web', sha256: await sha256Hex(key), scopes: ['evaluate'] }]);

    const served = await evaluate('banner', key);
    expect(served.status).toBe(200);
    expect(await json(served)).toMatchObject({ value: 'Hello from staging', variant: 'everyone', metadata: { flagSetVersion: second!.$rollgate.version } });

    clock.advance(1000);
    const next = configWith((c) => (c.flags['banner']!.environments = { staging: { variants: { everyone: 'Hello again' } } }));
    expect((await putConfig('staging', next)).status).toBe(200);
    const third = await kvSnapshot('staging');
    expect(third!.$rollgate.version).toBeGreaterThan(second!.$rollgate.version);
    expect(third!.flags).toEqual(resolveEnvironment(next, 'staging').flags);

    // The Worker picks the new snapshot up at its next refresh.
    clock.advance(SNAPSHOT_REFRESH_MS);
    expect(await json(await evaluate('banner', key))).toMatchObject({ value: 'Hello again', metadata: { flagSetVersion: third!.$rollgate.version } });

    // Each environment has its own snapshot: production was never written.
    expect(await kvSnapshot('production')).toBeNull();
    const summaries = await json(await admin(h, 'GET', '/environments'));
    expect(summaries['environments'].find((e: Json) => e['environment'] === 'staging')).toMatchObject({
      configVersion: 2,
      snapshotVersion: third!.$rollgate.version,
      publishedVersion: third!.$rollgate.version,
      lastPublishError: null,
    });
  });

  it('publishes a change made within a second of the last one through the alarm', async () => {
    await seedStaging();
    const next = configWith((c) => (c.flags['static-bool']!.defaultVariant = 'off'));
    expect((await putConfig('staging', next)).status).toBe(200);
    expect((await kvSnapshot('staging'))!.$rollgate.version).toBe(1);
    expect(await runPublishAlarm('staging', clock)).toBe(true);
    const snap = await kvSnapshot('staging');
    expect(snap!.$rollgate.version).toBe(2);
    expect(snap!.flags).toEqual(resolveEnvironment(next, 'staging').flags);
  });
});

describe('rollouts', () => {
  /** Staging with the valid config and a client key; returns the key. */
  async function prepare(): Promise<string> {
    await seedStaging();
    return issueKey('staging', 'web');
  }

  async function startRollout(body: Json = { flag: 'new-checkout', variant: 'on', strategy: 'safe', reason: 'launch' }): Promise<Json> {
    clock.advance(1000);
    const res = await admin(h, 'POST', `${STAGING}/rollouts`, { body });
    expect(res.status).toBe(201);
    return json(res);
  }

  async function action(id: string, name: string, reason: string | undefined): Promise<Response> {
    clock.advance(1000);
    return admin(h, 'POST', `${STAGING}/rollouts/${id}/${name}`, { body: reason === undefined ? {} : { reason } });
  }

  it('starts a safe rollout at 5 % with its plan, and audits it', async () => {
    await prepare();
    const r = await startRollout();
    expect(r).toMatchObject({
      flag: 'new-checkout',
      variant: 'on',
      baselineVariant: 'off',
      status: 'running',
      stageIndex: 0,
      percent: 5,
      startedAt: clock.now,
    });
    expect(r['plan']).toMatchObject({ strategy: 'safe', bakeSeconds: 48 * 3600 });
    expect(r['plan']['stages'].map((s: Json) => s['percent'])).toEqual([5, 10, 25, 50, 75, 100]);
    expect(r['nextPromotionAt']).toBe(new Date(clock.now + 24 * 3600 * 1000).toISOString());
    const [entry] = await auditOf('staging');
    expect(entry).toMatchObject({ actor: 'alice-operator', action: 'rollout.start', target: r['id'], reason: 'launch' });
    expect((await kvSnapshot('staging'))!.flags['new-checkout']!.rollout).toEqual({ id: r['id'], variant: 'on', baselineVariant: 'off', percent: 5 });
  });

  it('refuses an unknown flag, an unknown variant, a second active rollout and non-increasing stages', async () => {
    await prepare();
    const first = await startRollout();
    const before = await stateOf('staging');

    const cases: [Json, number, RegExp][] = [
      [{ flag: 'no-such-flag', variant: 'on', strategy: 'safe' }, 422, /no-such-flag/],
      [{ flag: 'new-checkout', variant: 'maybe', strategy: 'safe' }, 422, /maybe/],
      [{ flag: 'static-bool', variant: 'on', baselineVariant: 'nope', strategy: 'fast' }, 422, /nope/],
      [{ flag: 'new-checkout', variant: 'on', strategy: 'fast' }, 409, new RegExp(first['id'] as string)],
      [{ flag: 'new-checkout', variant: 'off', strategy: 'instant' }, 409, new RegExp(first['id'] as string)],
    ];
    for (const [body, status, message] of cases) {
      const res = await admin(h, 'POST', `${STAGING}/rollouts`, { body });
      expect({ body, status: res.status }).toEqual({ body, status });
      expect((await json(res))['error']).toMatch(message);
    }

    const flat = await admin(h, 'POST', `${STAGING}/rollouts`, {
      body: {
        flag: 'static-bool',
        variant: 'off',
        strategy: 'safe',
        stages: [
          { percent: 10, afterSeconds: 0 },
          { percent: 10, afterSeconds: 60 },
          { percent: 100, afterSeconds: 120 },
        ],
      },
    });
    expect(flat.status).toBe(422);
    expect((await json(flat))['errors']).toEqual([expect.objectContaining({ path: '/stages/1/percent' })]);
    const decreasing = await admin(h, 'POST', `${STAGING}/rollouts`, {
      body: {
        flag: 'static-bool',
        variant: 'off',
        strategy: 'safe',
        stages: [
          { percent: 50, afterSeconds: 0 },
          { percent: 20, afterSeconds: 60 },
          { percent: 100, afterSeconds: 120 },
        ],
      },
    });
    expect(decreasing.status).toBe(422);
    expect((await json(decreasing))['errors']).toEqual([expect.objectContaining({ path: '/stages/1/percent' })]);
    const bad = await admin(h, 'POST', `${STAGING}/rollouts`, { body: { flag: 'static-bool', variant: 'off', strategy: 'sometimes' } });
    expect(bad.status).toBe(422);

    expect(await stateOf('staging')).toEqual(before);
    const list = await json(await admin(h, 'GET', `${STAGING}/rollouts`));
    expect(list['rollouts'].map((r: Json) => r['id'])).toEqual([first['id']]);
  });

  it('lists rollouts and shows one with its history; 404 for an unknown id', async () => {
    await prepare();
    const r = await startRollout();
    const list = await admin(h, 'GET', `${STAGING}/rollouts`, { token: TOKENS.viewer });
    expect(list.status).toBe(200);
    expect((await json(list))['rollouts']).toEqual([expect.objectContaining({ id: r['id'], status: 'running', percent: 5 })]);
    expect((await json(await admin(h, 'GET', `${STAGING}/rollouts?status=completed`)))['rollouts']).toEqual([]);

    expect((await action(r['id'], 'promote', 'looks good')).status).toBe(200);
    const one = await admin(h, 'GET', `${STAGING}/rollouts/${r['id']}`, { token: TOKENS.viewer });
    expect(one.status).toBe(200);
    const body = await json(one);
    expect(body).toMatchObject({ id: r['id'], status: 'running', percent: 10, stageIndex: 1 });
    expect(body['history']).toEqual([
      expect.objectContaining({ actor: 'alice-operator', event: 'promoted', fromStatus: 'running', toStatus: 'running', fromPercent: 5, toPercent: 10 }),
    ]);

    const missing = await admin(h, 'GET', `${STAGING}/rollouts/ro_nope`);
    expect(missing.status).toBe(404);
    const missingAction = await action('ro_nope', 'pause', 'x');
    expect(missingAction.status).toBe(404);
    const unknownAction = await action(r['id'], 'explode', 'x');
    expect(unknownAction.status).toBe(404);
  });

  it('pause, resume, promote and rollback each take a reason and are audited with actor and reason', async () => {
    await prepare();
    const r = await startRollout();
    const id = r['id'] as string;

    const noReason = await action(id, 'pause', undefined);
    expect(noReason.status).toBe(422);

    const steps: [string, string, Json][] = [
      ['pause', 'checking the dashboards', { status: 'paused', percent: 5 }],
      ['resume', 'dashboards are fine', { status: 'running', percent: 5 }],
      ['promote', 'ahead of schedule', { status: 'running', percent: 10 }],
      ['rollback', 'support tickets', { status: 'rolled_back', percent: 0 }],
    ];
    for (const [name, reason, expected] of steps) {
      const res = await action(id, name, reason);
      expect({ name, status: res.status }).toEqual({ name, status: 200 });
      expect(await json(res)).toMatchObject({ ...expected, changed: true });
    }
    const entries = await auditOf('staging', '&action=rollout.pause');
    expect(entries).toHaveLength(1);
    const rolloutEntries = (await auditOf('staging')).filter((e) => e['target'] === id);
    expect(rolloutEntries.map((e) => [e['action'], e['actor'], e['reason']])).toEqual([
      ['rollout.rollback', 'alice-operator', 'support tickets'],
      ['rollout.promote', 'alice-operator', 'ahead of schedule'],
      ['rollout.resume', 'alice-operator', 'dashboards are fine'],
      ['rollout.pause', 'alice-operator', 'checking the dashboards'],
      ['rollout.start', 'alice-operator', 'launch'],
    ]);
    expect(rolloutEntries[0]!['diff']).toMatchObject({ before: { status: 'running', percent: 10 }, after: { status: 'rolled_back', percent: 0 } });

    const history = (await json(await admin(h, 'GET', `${STAGING}/rollouts/${id}`)))['history'] as Json[];
    expect(history.map((t) => t['event'])).toEqual(['paused', 'resumed', 'promoted', 'rolled_back']);

    // Rolled back: the snapshot no longer carries the rollout.
    expect((await kvSnapshot('staging'))!.flags['new-checkout']!.rollout).toBeUndefined();
  });

  it('a duplicate rollback changes nothing: same state, no audit entry, no publish', async () => {
    await prepare();
    const r = await startRollout();
    const first = await action(r['id'], 'rollback', 'errors up');
    expect(first.status).toBe(200);
    const afterFirst = await json(first);
    expect(afterFirst).toMatchObject({ status: 'rolled_back', percent: 0, changed: true });
    const before = await stateOf('staging');
    const summaryBefore = await json(await admin(h, 'GET', '/environments'));

    for (const name of ['rollback', 'rollback', 'pause', 'resume', 'promote']) {
      const again = await action(r['id'], name, 'again');
      expect({ name, status: again.status }).toEqual({ name, status: 200 });
      const body = await json(again);
      expect(body).toEqual({ ...afterFirst, changed: false });
    }
    expect(await stateOf('staging')).toEqual(before);
    expect(await json(await admin(h, 'GET', '/environments'))).toEqual(summaryBefore);
    expect((await json(await admin(h, 'GET', `${STAGING}/rollouts/${r['id']}`)))['history']).toHaveLength(1);
  });

  it('refuses a config change that would remove a flag or variant in an active rollout, with 409 naming it', async () => {
    // "contrast" exists only in staging, through the overlay's variants.
    const withTheme = (c: RollgateConfig) => {
      c.flags['theme'] = {
        state: 'ENABLED',
        variants: { light: 'light', dark: 'dark' },
        defaultVariant: 'light',
        environments: { staging: { variants: { contrast: 'high-contrast' } } },
      };
    };
    await seedStaging();
    clock.advance(1000);
    expect((await putConfig('staging', configWith(withTheme))).status).toBe(200);
    const r = await startRollout({ flag: 'new-checkout', variant: 'on', baselineVariant: 'off', strategy: 'safe' });
    const theme = await startRollout({ flag: 'theme', variant: 'contrast', strategy: 'fast' });
    const before = await stateOf('staging');
    clock.advance(1000);

    const cases: [string, RollgateConfig, string][] = [
      ['flag removed', configWith((c) => (withTheme(c), delete c.flags['new-checkout'])), r['id']],
      ['variant removed', configWith((c) => (withTheme(c), (c.flags['new-checkout']!.variants = { off: false }))), r['id']],
      [
        'baseline variant removed',
        configWith((c) => (withTheme(c), (c.flags['new-checkout']!.variants = { on: true }), (c.flags['new-checkout']!.defaultVariant = 'on'))),
        r['id'],
      ],
      ['overlay variant removed', configWith((c) => (withTheme(c), delete c.flags['theme']!.environments)), theme['id']],
    ];
    for (const [label, doc, id] of cases) {
      const res = await putConfig('staging', doc);
      const body = await json(res);
      expect({ label, status: res.status }).toEqual({ label, status: 409 });
      expect(body['error']).toContain(id);
      expect(body['conflicts']).toEqual([expect.objectContaining({ rolloutId: id })]);
      // The dry run says the same.
      const dry = await json(await admin(h, 'POST', `${STAGING}/flags/validate`, { body: doc }));
      expect({ label, valid: dry['valid'] }).toEqual({ label, valid: false });
      expect(dry['errors']).toEqual([expect.objectContaining({ message: expect.stringContaining(id) })]);
    }
    // Reverting to version 1, which has no "theme", is refused the same way.
    const revert = await admin(h, 'POST', `${STAGING}/flags/revert`, { token: TOKENS.editor, body: { version: 1 } });
    expect(revert.status).toBe(409);
    expect((await json(revert))['error']).toContain(theme['id']);
    expect(await stateOf('staging')).toEqual(before);

    // Other flags can still change, and once the rollout has ended the flag can go.
    expect(
      (
        await putConfig(
          'staging',
          configWith((c) => (withTheme(c), (c.flags['static-bool']!.defaultVariant = 'off'))),
        )
      ).status,
    ).toBe(200);
    expect((await action(r['id'], 'rollback', 'done')).status).toBe(200);
    clock.advance(1000);
    expect(
      (
        await putConfig(
          'staging',
          configWith((c) => (withTheme(c), delete c.flags['new-checkout'])),
        )
      ).status,
    ).toBe(200);
  });

  it('OFREP metadata shows rolloutId and rolloutPercent during the rollout, and not after the rollback', async () => {
    const key = await prepare();
    const r = await startRollout();
    for (let i = 0; i < 20; i++) {
      const res = await evaluate('new-checkout', key, `user-${i}`);
      expect(res.status).toBe(200);
      expect((await json(res))['metadata']).toMatchObject({ rolloutId: r['id'], rolloutPercent: 5 });
    }
    // The environment's targeting runs first, then the split: everyone not in the 5 % keeps "off".
    const values = new Map<unknown, number>();
    for (let i = 0; i < 400; i++) {
      const v = (await json(await evaluate('new-checkout', key, `user-${i}`)))['value'];
      values.set(v, (values.get(v) ?? 0) + 1);
    }
    expect(values.get(true)).toBeGreaterThan(0);
    expect(values.get(false)).toBeGreaterThan(values.get(true)!);

    expect((await action(r['id'], 'promote', 'faster')).status).toBe(200);
    clock.advance(SNAPSHOT_REFRESH_MS);
    expect((await json(await evaluate('new-checkout', key)))['metadata']).toMatchObject({ rolloutId: r['id'], rolloutPercent: 10 });

    expect((await action(r['id'], 'rollback', 'stop')).status).toBe(200);
    clock.advance(SNAPSHOT_REFRESH_MS);
    const after = await json(await evaluate('new-checkout', key));
    expect(after['metadata']).not.toHaveProperty('rolloutId');
    expect(after['metadata']).not.toHaveProperty('rolloutPercent');
    expect(after['value']).toBe(false);
  });
});

describe('client keys', () => {
  it('issues a random key, shown once, that works for OFREP after the publish', async () => {
    await seedStaging();
    clock.advance(1000);
    const res = await admin(h, 'POST', `${STAGING}/keys`, { body: { name: 'web' } });
    expect(res.status).toBe(201);
    expect(res.headers.get('cache-control')).toBe('no-store');
    const body = await json(res);
    expect(body).toMatchObject({ name: 'web', changed: true });
    const key = body['key'] as string;
    // rg_<env>_ and base64url of the random bytes: at least 128 bits (22 characters of 6 bits).
    const random = /^rg_staging_([A-Za-z0-9_-]+)$/.exec(key)?.[1];
    expect(random).toBeDefined();
    expect(random!.length * 6).toBeGreaterThanOrEqual(128);
    const other = await issueKey('staging', 'mobile');
    expect(other).not.toBe(key);
    expect(new Set([...key.slice(11)]).size).toBeGreaterThan(10);

    // Works for OFREP once published.
    expect((await evaluate('static-bool', key)).status).toBe(200);
    expect((await evaluate('static-bool', other)).status).toBe(200);

    // Shown once: stored and published only as its hash; the audit log does not hold it.
    const kvText = (await env.FLAGS.get(snapshotKey('staging')))!;
    expect(kvText).not.toContain(key);
    expect(kvText).toContain(await sha256Hex(key));
    expect(JSON.stringify(await auditOf('staging'))).not.toContain(key);
    expect(JSON.stringify(await json(await admin(h, 'GET', '/environments')))).not.toContain(key);

    // The same name again is refused; a bad name is 422.
    const dup = await admin(h, 'POST', `${STAGING}/keys`, { body: { name: 'web' } });
    expect(dup.status).toBe(409);
    const badName = await admin(h, 'POST', `${STAGING}/keys`, { body: { name: 'no spaces allowed' } });
    expect(badName.status).toBe(422);
  });

  it('DELETE revokes a key: 401 for OFREP once the next snapshot reaches the Worker; 404 for an unknown name', async () => {
    await seedStaging();
    const key = await issueKey('staging', 'web');
    const other = await issueKey('staging', 'mobile');
    expect((await evaluate('static-bool', key)).status).toBe(200);

    clock.advance(1000);
    const res = await admin(h, 'DELETE', `${STAGING}/keys/web`);
    expect(res.status).toBe(200);
    expect(await json(res)).toEqual({ name: 'web' });
    const snap = await kvSnapshot('staging');
    expect(snap!.$rollgate.clientKeys.map((k) => k.name)).toEqual(['mobile']);

    clock.advance(SNAPSHOT_REFRESH_MS);
    const revoked = await evaluate('static-bool', key);
    expect(revoked.status).toBe(401);
    expect(await revoked.text()).toBe('');
    expect((await evaluate('static-bool', other)).status).toBe(200);

    const again = await admin(h, 'DELETE', `${STAGING}/keys/web`);
    expect(again.status).toBe(404);
    const unknown = await admin(h, 'DELETE', `${STAGING}/keys/nobody`);
    expect(unknown.status).toBe(404);
    expect((await json(unknown))['error']).toContain('nobody');
    expect((await auditOf('staging')).map((e) => e['action'])).toEqual(['key.revoke', 'key.issue', 'key.issue', 'config.put']);
  });
});

describe('audit log', () => {
  /** Five entries in staging: put v1, key, put v2 (static-bool), rollout start (new-checkout), put v3 (banner). */
  async function fiveEntries(): Promise<void> {
    await seedStaging();
    await issueKey('staging', 'web');
    clock.advance(1000);
    expect(
      (
        await putConfig(
          'staging',
          configWith((c) => (c.flags['static-bool']!.defaultVariant = 'off')),
        )
      ).status,
    ).toBe(200);
    clock.advance(1000);
    const started = await admin(h, 'POST', `${STAGING}/rollouts`, { body: { flag: 'new-checkout', variant: 'on', strategy: 'fast', reason: 'go' } });
    expect(started.status).toBe(201);
    clock.advance(1000);
    const v3 = configWith((c) => {
      c.flags['static-bool']!.defaultVariant = 'off';
      c.flags['banner']!.defaultVariant = 'staff';
    });
    expect((await putConfig('staging', v3)).status).toBe(200);
  }

  it('pages newest first with a cursor', async () => {
    await fiveEntries();
    const seen: Json[] = [];
    const pages: number[] = [];
    let cursor: string | null = null;
    do {
      const res = await admin(h, 'GET', `${STAGING}/audit?limit=2${cursor ? `&cursor=${cursor}` : ''}`, { token: TOKENS.viewer });
      expect(res.status).toBe(200);
      const page = await json(res);
      pages.push(page['entries'].length);
      seen.push(...page['entries']);
      cursor = page['nextCursor'] as string | null;
    } while (cursor !== null && pages.length < 10);
    expect(pages).toEqual([2, 2, 1]);
    expect(seen.map((e) => e['action'])).toEqual(['config.put', 'rollout.start', 'config.put', 'key.issue', 'config.put']);
    const ids = seen.map((e) => e['id'] as number);
    expect(ids).toEqual([...ids].sort((a, b) => b - a));
    expect(new Set(ids).size).toBe(5);
    const times = seen.map((e) => Date.parse(e['at'] as string));
    expect(times).toEqual([...times].sort((a, b) => b - a));
    expect(seen[0]).toMatchObject({ environment: 'staging', actor: 'erin-editor', target: 'config v3', reason: null });

    for (const bad of ['limit=0', 'limit=501', 'limit=abc', 'cursor=abc']) {
      const res = await admin(h, 'GET', `${STAGING}/audit?${bad}`);
      expect({ bad, status: res.status }).toEqual({ bad, status: 400 });
    }
  });

  it('filters by flag and by action', async () => {
    await fiveEntries();
    const byFlag = async (flag: string) => (await auditOf('staging', `&flag=${flag}`)).map((e) => [e['action'], e['target']]);
    // v3 left static-bool as v2 had it.
    expect(await byFlag('static-bool')).toEqual([
      ['config.put', 'config v2'],
      ['config.put', 'config v1'],
    ]);
    const rolloutId = (await auditOf('staging', '&action=rollout.start'))[0]!['target'] as string;
    expect(await byFlag('new-checkout')).toEqual([
      ['rollout.start', rolloutId],
      ['config.put', 'config v1'],
    ]);
    expect(await byFlag('banner')).toEqual([
      ['config.put', 'config v3'],
      ['config.put', 'config v1'],
    ]);
    // A flag name that is a prefix of another matches only itself.
    expect(await byFlag('new')).toEqual([]);
    expect((await auditOf('staging', '&action=config.put')).map((e) => e['target'])).toEqual(['config v3', 'config v2', 'config v1']);
    expect((await auditOf('staging', '&action=key.issue')).map((e) => e['target'])).toEqual(['web']);
    expect((await auditOf('staging', '&action=config.put&flag=banner')).map((e) => e['target'])).toEqual(['config v3', 'config v1']);

    // Filters page too.
    const page = await json(await admin(h, 'GET', `${STAGING}/audit?limit=1&action=config.put`));
    expect(page['entries'].map((e: Json) => e['target'])).toEqual(['config v3']);
    const next = await json(await admin(h, 'GET', `${STAGING}/audit?limit=1&action=config.put&cursor=${page['nextCursor']}`));
    expect(next['entries'].map((e: Json) => e['target'])).toEqual(['config v2']);
  });

  it('filters by actor and by time, and refuses a time that is not a date', async () => {
    await fiveEntries();
    const all = await auditOf('staging', '');
    const actors = [...new Set(all.map((e) => e['actor'] as string))];
    expect(actors.length).toBeGreaterThan(1);
    for (const actor of actors) {
      expect((await auditOf('staging', `&actor=${encodeURIComponent(actor)}`)).map((e) => e['id'])).toEqual(
        all.filter((e) => e['actor'] === actor).map((e) => e['id']),
      );
    }
    const times = all.map((e) => e['at'] as string);
    const [newest, , middle] = times;
    const window = await auditOf('staging', `&since=${encodeURIComponent(middle!)}&until=${encodeURIComponent(newest!)}`);
    expect(window.map((e) => e['id'])).toEqual(all.filter((e) => e['at']! >= middle! && e['at']! < newest!).map((e) => e['id']));
    expect(window.length).toBeGreaterThan(0);
    for (const bad of ['since=yesterday', 'until=2026-13-45T00:00:00Z']) {
      const res = await admin(h, 'GET', `${STAGING}/audit?${bad}`);
      expect(res.status).toBe(400);
      expect(await json(res)).toMatchObject({ code: 'invalid_query' });
    }
  });

  it('filters by a flag key that contains a comma without matching the keys on either side of it', async () => {
    await seedStaging();
    clock.advance(1000);
    const withComma = configWith((c) => (c.flags['x,new-checkout'] = { state: 'ENABLED', variants: { on: true, off: false }, defaultVariant: 'off' }));
    expect((await putConfig('staging', withComma)).status).toBe(200);
    const targets = async (flag: string) => (await auditOf('staging', `&flag=${encodeURIComponent(flag)}`)).map((e) => e['target']);
    expect(await targets('x,new-checkout')).toEqual(['config v2']);
    expect(await targets('new-checkout')).toEqual(['config v1']);
    expect(await targets('x')).toEqual([]);
  });
});
