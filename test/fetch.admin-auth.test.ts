/**
 * Admin API authentication and authorization: a missing, garbage or forged token gets 401 before
 * anything else is looked at; a role too weak or an environment outside the token's scope gets
 * 403 and changes nothing; every write records the token's name as its actor.
 */
import { describe, expect, it } from 'vitest';
import { sha256Hex } from '../src/core/sha256';
import { TOKEN_NAMES, TOKENS } from './helpers/admin';
import { adminKit, json, type Json, STAGING } from './helpers/admin-kit';
import { configWith, validConfig } from './helpers/coordinator';

const kit = adminKit();
const { admin, putConfig, auditOf, versionOf, stateOf, seedStaging, issueKey } = kit;

describe('admin authentication and authorization', () => {
  it('answers 401 without a token', async () => {
    for (const [method, path] of [
      ['GET', '/environments'],
      ['GET', `${STAGING}/flags`],
      ['PUT', `${STAGING}/flags`],
      ['POST', `${STAGING}/keys`],
    ] as const) {
      const res = await admin(method, path, { token: null, body: method === 'GET' ? undefined : validConfig() });
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
        const res = await admin(method, path, { token, body: method === 'PUT' ? validConfig() : undefined });
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
        const res = await kit.h.fetch(`/admin/v1${path}`, {
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

    const editorRollout = await admin('POST', `${STAGING}/rollouts`, {
      token: TOKENS.editor,
      body: { flag: 'new-checkout', variant: 'on', strategy: 'safe' },
    });
    expect(editorRollout.status).toBe(403);
    expect((await json(editorRollout))['error']).toMatch(/editor.*operator/);

    const editorKey = await admin('POST', `${STAGING}/keys`, { token: TOKENS.editor, body: { name: 'k' } });
    expect(editorKey.status).toBe(403);

    const viewerRevert = await admin('POST', `${STAGING}/flags/revert`, { token: TOKENS.viewer, body: { version: 1 } });
    expect(viewerRevert.status).toBe(403);

    expect(await stateOf('staging')).toEqual(before);
  });

  it('answers 403 to a token scoped to staging on production, and lists only its environments', async () => {
    await seedStaging();
    const own = await admin('GET', `${STAGING}/flags`, { token: TOKENS.stagingViewer });
    expect(own.status).toBe(200);
    for (const path of ['/environments/production/flags', '/environments/production/audit', '/environments/production/rollouts']) {
      const res = await admin('GET', path, { token: TOKENS.stagingViewer });
      expect({ path, status: res.status }).toEqual({ path, status: 403 });
      expect((await json(res))['error']).toContain('production');
    }

    const scoped = await json(await admin('GET', '/environments', { token: TOKENS.stagingViewer }));
    expect(scoped['environments'].map((e: Json) => e['environment'])).toEqual(['staging']);
    expect(scoped['environments'][0]).toMatchObject({ environment: 'staging', configVersion: 1, snapshotVersion: 1, publishedVersion: 1, activeRollouts: [] });

    const all = await json(await admin('GET', '/environments', { token: TOKENS.viewer }));
    expect(all['environments'].map((e: Json) => e['environment'])).toEqual(['development', 'staging', 'production']);
  });

  it('records the token name as the actor of every write', async () => {
    await seedStaging(); // editor
    kit.clock.advance(1000);
    expect(
      (
        await putConfig(
          'staging',
          configWith((c) => (c.flags['static-bool']!.defaultVariant = 'off')),
        )
      ).status,
    ).toBe(200); // editor
    kit.clock.advance(1000);
    expect((await admin('POST', `${STAGING}/flags/revert`, { token: TOKENS.editor, body: { version: 1 } })).status).toBe(200);
    await issueKey('staging', 'web'); // operator
    kit.clock.advance(1000);
    const started = await admin('POST', `${STAGING}/rollouts`, { body: { flag: 'new-checkout', variant: 'on', strategy: 'safe' } });
    expect(started.status).toBe(201);
    const id = (await json(started))['id'] as string;
    kit.clock.advance(1000);
    expect((await admin('POST', `${STAGING}/rollouts/${id}/pause`, { body: { reason: 'look' } })).status).toBe(200);
    kit.clock.advance(1000);
    expect((await admin('DELETE', `${STAGING}/keys/web`)).status).toBe(200);

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
    expect(await json(await admin('GET', `${STAGING}/flags`))).toMatchObject({ version: 3, actor: 'erin-editor' });
  });
});
