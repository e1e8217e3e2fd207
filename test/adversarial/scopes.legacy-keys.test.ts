/**
 * Issue 9 §1: keys from before scopes existed are evaluate-only. Keys of a snapshot published
 * before scopes and FALLBACK_CLIENT_KEYS evaluate but cannot report (fallback keys count under
 * rate-limit names no issued key can take); migration 3 gives stored keys the evaluate scope and
 * changes nothing else about them.
 */
import { runInDurableObject } from 'cloudflare:test';
import { env } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import { ClientKeys } from '../../src/coordinator/client-keys';
import { MIGRATIONS } from '../../src/coordinator/migrations';
import { sha256Hex } from '../../src/core/sha256';
import { migrateSqlite } from '../../src/sqlite/migrate';
import { admin } from '../helpers/admin';
import { reportKeyOf, snapshotOf } from '../helpers/fixture';
import { ENV, MIN, type Sim } from '../helpers/health-sim';
import { scopesEachTest } from '../helpers/scopes-kit';
import { NOTHING } from '../helpers/sim-kit';

let sim: Sim;
scopesEachTest((s) => (sim = s));

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
