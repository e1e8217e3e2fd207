/**
 * Issue 9 §1: key scopes through the admin API are validated (422, nothing committed), never
 * changed silently (re-importing a key with other scopes is 409), and listed without secrets or
 * hashes; key.issue audits the scopes.
 */
import { describe, expect, it } from 'vitest';
import { admin, TOKENS } from '../helpers/admin';
import { keyOf, reportKeyOf } from '../helpers/fixture';
import { ENV, expectStatus, FLAG, type Sim, TREATMENT } from '../helpers/health-sim';
import { scopesEachTest } from '../helpers/scopes-kit';

let sim: Sim;
const { adminAnswers, keyState } = scopesEachTest((s) => (sim = s));

describe('key scopes are validated, never changed silently, and listed without secrets', () => {
  it.each<[string, unknown]>([
    ['empty', []],
    ['unknown', ['admin']],
    ['duplicated', ['report', 'report']],
    ['not a list', 'report'],
    ['not strings', [1]],
  ])('scopes %s → 422; nothing committed', async (_name, scopes) => {
    sim.at(sim.T0 + 1000);
    const before = await keyState();
    const res = await admin(sim.h, 'POST', `/environments/${ENV}/keys`, { body: { name: 'bad', scopes } });
    expect(res.status).toBe(422);
    const body = await res.json<{ errors: Array<{ path: string }> }>();
    expect(body.errors.map((e) => e.path)[0]).toMatch(/^\/scopes/);
    expect(await keyState()).toEqual(before);
    await adminAnswers();
  });

  it('re-importing a key with other scopes → 409 and the key keeps its scopes; the same scopes → 200 unchanged', async () => {
    sim.at(sim.T0 + 1000);
    const before = await keyState();
    const escalate = await admin(sim.h, 'POST', `/environments/${ENV}/keys`, { body: { name: 'web', secret: keyOf(ENV), scopes: ['evaluate', 'report'] } });
    expect(escalate.status).toBe(409);
    expect((await escalate.json<{ error: string }>()).error).toContain('scopes');
    expect(await keyState()).toEqual(before);
    sim.at(sim.T0 + 90_000);
    expect((await sim.post([{ flag: FLAG, variant: TREATMENT, timestamp: sim.T0 + 30_000, count: 1, errors: 0, latencyMs: [1] }], keyOf(ENV))).status).toBe(
      403,
    );

    const same = await admin(sim.h, 'POST', `/environments/${ENV}/keys`, { body: { name: 'reporter', secret: reportKeyOf(ENV), scopes: ['report'] } });
    expect(same.status).toBe(200);
    expect(await same.json()).toMatchObject({ name: 'reporter', scopes: ['report'], changed: false });
  });

  it('GET keys (viewer) lists names, scopes and creation, never secrets or hashes; key.issue audits the scopes', async () => {
    const res = await expectStatus(admin(sim.h, 'GET', `/environments/${ENV}/keys`, { token: TOKENS.viewer }), 200);
    const text = await res.text();
    expect(JSON.parse(text)).toEqual({
      keys: [
        { name: 'reporter', scopes: ['report'], createdAt: new Date(sim.T0 - 1000).toISOString(), createdBy: 'alice-operator' },
        { name: 'web', scopes: ['evaluate'], createdAt: new Date(sim.T0 - 2000).toISOString(), createdBy: 'alice-operator' },
      ],
    });
    expect(text).not.toContain(keyOf(ENV));
    expect(text).not.toContain(reportKeyOf(ENV));
    expect(text).not.toMatch(/[0-9a-f]{64}/);
    const issued = await sim.audit('key.issue');
    expect(issued.map((e) => e.diff.after)).toEqual([
      { name: 'reporter', scopes: ['report'], imported: true },
      { name: 'web', scopes: ['evaluate'], imported: true },
    ]);
    // No token → 401; a token of another environment → 403.
    expect((await admin(sim.h, 'GET', `/environments/${ENV}/keys`, { token: null })).status).toBe(401);
    expect((await admin(sim.h, 'GET', '/environments/production/keys', { token: TOKENS.stagingViewer })).status).toBe(403);
  });
});
