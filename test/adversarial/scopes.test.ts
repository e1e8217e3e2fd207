import { runInDurableObject } from 'cloudflare:test';
import { env } from 'cloudflare:workers';
import { beforeEach, describe, expect, it } from 'vitest';
import { ClientKeys } from '../../src/coordinator/client-keys';
import { MIGRATIONS } from '../../src/coordinator/migrations';
import { sha256Hex } from '../../src/core/sha256';
import { migrateSqlite } from '../../src/sqlite/migrate';
import { snapshotKey } from '../../src/store/keys';
import { admin, TOKENS } from '../helpers/admin';
import { keyOf, reportKeyOf, snapshotOf } from '../helpers/fixture';
import { ENV, ERRORING, expectStatus, FLAG, HEALTHY, MIN, type Report, type Sim, TREATMENT } from '../helpers/health-sim';
import { simEachTest } from '../helpers/sim-kit';

/**
 * Issue 9 §1, "who may report health": a browser (evaluate) key can neither forge nor mask health
 * signals, a report key cannot evaluate, key scopes are validated and listed without secrets, and
 * per-key rate limits answer 429 with Retry-After.
 */

let sim: Sim;
simEachTest((s) => (sim = s));
beforeEach(async () => {
  await sim.setup();
});

const shard = () => env.METRICS.getByName(`${ENV}/${FLAG}`);
/** What the treatment's shard holds over the two hours around T0. */
const stored = () => shard().window(TREATMENT, sim.T0 - 60 * MIN, sim.T0 + 60 * MIN);
const NOTHING = { samples: 0, errors: 0, errorRate: null, p95Ms: null, p99Ms: null };

/** The admin plane still answers for the environment. */
async function adminAnswers(): Promise<void> {
  await expectStatus(admin(sim.h, 'GET', '/environments'), 200);
  await expectStatus(admin(sim.h, 'GET', `/environments/${ENV}/keys`, { token: TOKENS.viewer }), 200);
}

/** Everything a refused key request must leave as it was. */
async function keyState(): Promise<unknown> {
  const keys = await (await admin(sim.h, 'GET', `/environments/${ENV}/keys`, { token: TOKENS.viewer })).json();
  const audit = await (await admin(sim.h, 'GET', `/environments/${ENV}/audit?limit=500`)).json();
  return { keys, audit, kv: await env.FLAGS.get(snapshotKey(ENV)) };
}

/** A rollout that reaches 100 % five minutes after the start, when healthy. */
const SHORT = {
  strategy: 'fast',
  reason: 'scopes test',
  stages: [
    { percent: 10, afterSeconds: 0 },
    { percent: 100, afterSeconds: 300 },
  ],
  bakeSeconds: 3600,
};

describe('an evaluate (browser) key cannot write health signals', () => {
  it('POST /v1/metrics with an evaluate key → 403 naming the missing scope; nothing stored', async () => {
    sim.at(sim.T0 + 90_000);
    const res = await sim.post([{ flag: FLAG, variant: TREATMENT, timestamp: sim.T0 + 30_000, count: 100, errors: 50, latencyMs: [10] }], keyOf(ENV));
    expect(res.status).toBe(403);
    const body = await res.json<{ error: string }>();
    expect(body.error).toContain('"report" scope');
    expect(await stored()).toEqual(NOTHING);
    await adminAnswers();
  });

  it('no key or an unknown key → 401 without a body; nothing stored', async () => {
    sim.at(sim.T0 + 90_000);
    const report: Report = { flag: FLAG, variant: TREATMENT, timestamp: sim.T0 + 30_000, count: 100, errors: 0, latencyMs: [10] };
    for (const key of [null, 'rg_staging_not-a-key-at-all', `dev-report-${ENV}`]) {
      const res = await sim.post([report], key);
      expect(res.status).toBe(401);
      expect(await res.text()).toBe('');
    }
    expect(await stored()).toEqual(NOTHING);
    await adminAnswers();
  });

  it('forged backdated breaching reports through an evaluate key cannot roll back a healthy rollout', async () => {
    const r = await sim.start(SHORT);
    const T = sim.T0 + 10 * MIN;
    // The application (report key) reports five healthy minutes...
    await sim.postMinutesBefore(T, 5, () => HEALTHY);
    // ...and an attacker with the public browser key posts the same minutes as 50 % errors.
    const forged: Report[] = Array.from({ length: 5 }, (_, k) => ({
      flag: FLAG,
      variant: TREATMENT,
      timestamp: T - (5 - k) * MIN + 30_000,
      count: 1000,
      errors: 500,
      latencyMs: [2000],
    }));
    const res = await sim.post(forged, keyOf(ENV));
    expect(res.status).toBe(403);
    await sim.tick(T);
    const now = await sim.rollout(r.id);
    expect(now).toMatchObject({ status: 'running', percent: 100 });
    expect(await sim.audit('rollout.auto_rolled_back')).toEqual([]);
    await adminAnswers();
  });

  it('a masking flood of clean reports through an evaluate key cannot promote a failing rollout', async () => {
    const r = await sim.start(SHORT);
    const T = sim.T0 + 10 * MIN;
    // An attacker floods each minute with a million clean requests through the browser key...
    const flood: Report[] = Array.from({ length: 5 }, (_, k) => ({
      flag: FLAG,
      variant: TREATMENT,
      timestamp: T - (5 - k) * MIN + 30_000,
      count: 1_000_000,
      errors: 0,
      latencyMs: [10],
    }));
    sim.at(T);
    expect((await sim.post(flood, keyOf(ENV))).status).toBe(403);
    // ...while the application's real reports show the treatment failing.
    await sim.postMinutesBefore(T, 5, () => ({ ...ERRORING, errors: 100 }));
    await sim.tick(T);
    const now = await sim.rollout(r.id);
    expect(now).toMatchObject({ status: 'rolled_back', percent: 0, lastVerdict: { kind: 'breached', trigger: 'error_rate' } });
    await adminAnswers();
  });
});

describe('a report key cannot evaluate', () => {
  it('OFREP with a report key → 403 without a body (single and bulk); the evaluate key still works', async () => {
    sim.at(sim.T0 + 10_000);
    for (const path of [`/ofrep/v1/evaluate/flags/${FLAG}`, '/ofrep/v1/evaluate/flags']) {
      const res = await sim.h.evaluate(path, { context: { targetingKey: 'u1' } }, reportKeyOf(ENV));
      expect(res.status).toBe(403);
      expect(await res.text()).toBe('');
      expect((await sim.h.evaluate(path, { context: { targetingKey: 'u1' } }, keyOf(ENV))).status).toBe(200);
    }
    await adminAnswers();
  });

  it('a key with both scopes evaluates and reports', async () => {
    sim.at(sim.T0 + 1000);
    const both = 'rg_staging_both-scopes-secret';
    await expectStatus(admin(sim.h, 'POST', `/environments/${ENV}/keys`, { body: { name: 'server', secret: both, scopes: ['report', 'evaluate'] } }), 201);
    sim.at(sim.T0 + 90_000);
    expect((await sim.h.evaluate(`/ofrep/v1/evaluate/flags/${FLAG}`, { context: {} }, both)).status).toBe(200);
    const res = await sim.post([{ flag: FLAG, variant: TREATMENT, timestamp: sim.T0 + 30_000, count: 10, errors: 0, latencyMs: [10] }], both);
    expect(res.status).toBe(202);
    expect((await stored()).samples).toBe(10);
  });
});

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

describe('per-key rate limits', () => {
  /** The Sim runs without the limiters; these tests put the real bindings back. */
  function withRealLimiters(): void {
    const { OFREP_RATE_LIMIT: _o, METRICS_RATE_LIMIT: _m, ...vars } = sim.h.vars;
    sim.h.vars = vars;
  }

  it('a report key over the metrics limit gets 429 + Retry-After and nothing stored, while another key still gets 202', async () => {
    withRealLimiters();
    sim.at(sim.T0 + 1000);
    const other = 'rg_staging_second-reporter-secret';
    await expectStatus(admin(sim.h, 'POST', `/environments/${ENV}/keys`, { body: { name: 'reporter-2', secret: other, scopes: ['report'] } }), 201);
    sim.at(sim.T0 + 90_000);
    const one: Report[] = [{ flag: FLAG, variant: TREATMENT, timestamp: sim.T0 + 30_000, count: 1, errors: 0, latencyMs: [5] }];
    // The limit is 100 per 10-second window of the wall clock: 201 requests exceed it in one
    // window even if a window ends while they are sent.
    let accepted = 0;
    let limited: Response | undefined;
    for (let i = 0; i < 201 && !limited; i++) {
      const res = await sim.post(one);
      if (res.status === 429) limited = res;
      else {
        expect(res.status).toBe(202);
        accepted++;
      }
    }
    expect(limited).toBeDefined();
    expect(limited!.headers.get('retry-after')).toBe('10');
    expect((await limited!.json<{ error: string }>()).error).toContain('retry after');
    expect((await stored()).samples).toBe(accepted);

    const res = await sim.post(one, other);
    expect(res.status).toBe(202);
    expect((await stored()).samples).toBe(accepted + 1);
    await adminAnswers();
  }, 60_000);

  it('OFREP asks the limiter by <env>:<key name>@<client address>, never the secret, and answers 429 + Retry-After without a body', async () => {
    const asked: string[] = [];
    let allow = true;
    sim.h.vars = { ...sim.h.vars, OFREP_RATE_LIMIT: { limit: async ({ key }: { key: string }) => (asked.push(key), { success: allow }) } };
    sim.at(sim.T0 + 10_000);
    expect((await sim.h.evaluate(`/ofrep/v1/evaluate/flags/${FLAG}`, { context: {} }, keyOf(ENV))).status).toBe(200);
    allow = false;
    for (const path of [`/ofrep/v1/evaluate/flags/${FLAG}`, '/ofrep/v1/evaluate/flags']) {
      const res = await sim.h.evaluate(path, { context: {} }, keyOf(ENV));
      expect(res.status).toBe(429);
      expect(res.headers.get('retry-after')).toBe('10');
      expect(await res.text()).toBe('');
    }
    expect(asked).toEqual(['staging:web', 'staging:web', 'staging:web']);
    // Behind Cloudflare each client address has its own budget: a browser key's flood from one
    // client does not limit the other visitors holding the same public key.
    const from = (ip: string) => sim.h.evaluate(`/ofrep/v1/evaluate/flags/${FLAG}`, { context: {} }, keyOf(ENV), { 'cf-connecting-ip': ip });
    const perClient = new Map<string, number>();
    sim.h.vars = {
      ...sim.h.vars,
      OFREP_RATE_LIMIT: {
        limit: async ({ key }: { key: string }) => (asked.push(key), perClient.set(key, (perClient.get(key) ?? 0) + 1), { success: perClient.get(key)! <= 2 }),
      },
    };
    const flood = [];
    for (let i = 0; i < 4; i++) flood.push((await from('203.0.113.7')).status);
    expect(flood).toEqual([200, 200, 429, 429]);
    expect((await from('198.51.100.20')).status).toBe(200);
    expect(asked.slice(3)).toEqual([...Array<string>(4).fill('staging:web@203.0.113.7'), 'staging:web@198.51.100.20']);
    asked.length = 3;
    // Unknown keys and keys of the wrong scope are refused before the limiter is asked.
    expect((await sim.h.evaluate(`/ofrep/v1/evaluate/flags/${FLAG}`, { context: {} }, 'nope-nope-nope')).status).toBe(401);
    expect((await sim.h.evaluate(`/ofrep/v1/evaluate/flags/${FLAG}`, { context: {} }, reportKeyOf(ENV))).status).toBe(403);
    expect(asked).toHaveLength(3);
    await adminAnswers();
  });

  it('a limiter that fails does not take flags down', async () => {
    sim.h.vars = { ...sim.h.vars, OFREP_RATE_LIMIT: { limit: async () => Promise.reject(new Error('limiter down (test)')) } };
    sim.at(sim.T0 + 10_000);
    expect((await sim.h.evaluate(`/ofrep/v1/evaluate/flags/${FLAG}`, { context: {} }, keyOf(ENV))).status).toBe(200);
  });
});

describe('keys without scopes are evaluate-only at the edge', () => {
  it('a snapshot published before scopes existed: its keys evaluate but cannot report', async () => {
    sim.at(sim.T0 + 90_000);
    const old = await snapshotOf('development', 3);
    // As published before scopes: { name, sha256 } only, for every key (the report key of the fixture too).
    old.$rollgate.clientKeys = old.$rollgate.clientKeys.map(({ name, sha256 }) => ({ name, sha256 }));
    await sim.h.publish(old);
    expect((await sim.h.evaluate('/ofrep/v1/evaluate/flags/static-bool', { context: {} }, reportKeyOf('development'))).status).toBe(200);
    const res = await sim.post(
      [{ flag: 'static-bool', variant: 'on', timestamp: sim.T0 + 30_000, count: 1, errors: 0, latencyMs: [1] }],
      reportKeyOf('development'),
    );
    expect(res.status).toBe(403);
    expect(await env.METRICS.getByName('development/static-bool').window('on', sim.T0 - 60 * MIN, sim.T0 + 60 * MIN)).toEqual(NOTHING);
  });

  it('FALLBACK_CLIENT_KEYS are evaluate-only', async () => {
    const fallbackKey = 'fallback-production-key';
    sim.h.vars = { ...sim.h.vars, FALLBACK_CLIENT_KEYS: JSON.stringify({ production: [await sha256Hex(fallbackKey)] }) };
    sim.at(sim.T0 + 90_000);
    // Production has no snapshot in KV here: the bundled config is served, accepting the fallback key.
    expect((await sim.h.evaluate('/ofrep/v1/evaluate/flags', { context: {} }, fallbackKey)).status).toBe(200);
    const res = await sim.post([{ flag: 'static-bool', variant: 'on', timestamp: sim.T0 + 30_000, count: 1, errors: 0, latencyMs: [1] }], fallbackKey);
    expect(res.status).toBe(403);
  });

  it('fallback keys count under names no issued key can take, so they never share a rate-limit counter', async () => {
    const asked: string[] = [];
    const fallbackKey = 'fallback-production-key';
    sim.h.vars = {
      ...sim.h.vars,
      FALLBACK_CLIENT_KEYS: JSON.stringify({ production: [await sha256Hex(fallbackKey)] }),
      OFREP_RATE_LIMIT: { limit: async ({ key }: { key: string }) => (asked.push(key), { success: true }) },
    };
    sim.at(sim.T0 + 90_000);
    expect((await sim.h.evaluate('/ofrep/v1/evaluate/flags', { context: {} }, fallbackKey)).status).toBe(200);
    expect(asked).toEqual(['production:fallback:1']);
    const issued = await admin(sim.h, 'POST', '/environments/production/keys', {
      body: { name: 'fallback:1' },
      headers: { 'x-rollgate-confirm': 'production' },
    });
    expect(issued.status).toBe(422);
  });
});

describe('keys stored before scopes existed', () => {
  it('migration 3 makes them evaluate-only; nothing else about them changes', async () => {
    const out = await runInDurableObject(env.COORDINATOR.getByName(ENV), (_instance, state) => {
      const sql = state.storage.sql;
      // Back to the schema of migration 2, with a key row as it was written then.
      sql.exec('DELETE FROM client_keys');
      sql.exec('ALTER TABLE client_keys DROP COLUMN scopes');
      sql.exec('DELETE FROM schema_migrations WHERE version >= 3');
      // Later migrations run again too: undo them (migration 4, the notification outbox).
      sql.exec('DROP TABLE notification_deliveries');
      sql.exec("INSERT INTO client_keys (name, sha256, created_at, created_by) VALUES ('legacy', ?, 1, 'ops')", 'ab'.repeat(32));
      migrateSqlite(state.storage, MIGRATIONS, 2);
      const keys = new ClientKeys(sql);
      return { all: keys.all(), list: keys.list() };
    });
    expect(out.all).toEqual([{ name: 'legacy', sha256: 'ab'.repeat(32), scopes: ['evaluate'] }]);
    expect(out.list).toEqual([{ name: 'legacy', scopes: ['evaluate'], createdAt: new Date(1).toISOString(), createdBy: 'ops' }]);
  });
});
