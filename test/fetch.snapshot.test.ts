/**
 * The edge's snapshot as requests see it: the per-isolate memo (KV read once per refresh
 * interval), refresh and outage behaviour, the bundled fallback, FLAG_OVERRIDES, and /health
 * reporting each environment's version and age.
 */
import { describe, expect, it } from 'vitest';
import { sha256Hex } from '../src/core/sha256';
import { keyOf, snapshotOf } from './helpers/fixture';
import { edgeEachTest, ENVS, SINGLE } from './helpers/edge-kit';
import type { Harness } from './helpers/harness';

let h: Harness;
edgeEachTest((harness) => (h = harness));

describe('snapshot memo', () => {
  it('reads KV only on a cold isolate and once per refresh interval', async () => {
    await h.evaluate(`${SINGLE}/static-bool`, { context: {} }, keyOf('development'));
    const cold = h.kv.reads;
    expect(cold).toBe(ENVS.length);
    for (let i = 0; i < 50; i++) {
      h.now += 50;
      await h.evaluate(i % 2 ? SINGLE : `${SINGLE}/banner`, { context: { targetingKey: `u${i}` } }, keyOf('development'));
    }
    expect(h.kv.reads).toBe(cold);
    h.now += 5000;
    await h.evaluate(`${SINGLE}/static-bool`, { context: {} }, keyOf('development'));
    expect(h.kv.reads).toBe(cold + ENVS.length);
  });

  it('serves a new version after the refresh interval, and never goes back to an older one', async () => {
    const version = async () =>
      (await (await h.evaluate(`${SINGLE}/static-bool`, { context: {} }, keyOf('staging'))).json<{ metadata: { flagSetVersion: number } }>()).metadata
        .flagSetVersion;
    expect(await version()).toBe(3);
    await h.publish(await snapshotOf('staging', 4));
    expect(await version()).toBe(3);
    h.now += 5001;
    expect(await version()).toBe(4);
    await h.publish(await snapshotOf('staging', 2));
    h.now += 5001;
    expect(await version()).toBe(4);
  });

  it('keeps the last good snapshot when KV fails or holds garbage', async () => {
    await h.evaluate(`${SINGLE}/static-bool`, { context: {} }, keyOf('development'));
    h.kv.failing = true;
    h.now += 6000;
    const duringOutage = await h.evaluate(`${SINGLE}/static-bool`, { context: {} }, keyOf('development'));
    expect(duringOutage.status).toBe(200);
    const health = await (
      await h.fetch('/health')
    ).json<{ environments: Record<string, { source: string; lastError?: string }>; kv: { reachable: boolean } }>();
    expect(health.environments['development']).toMatchObject({ source: 'last-known-good' });
    expect(health.kv.reachable).toBe(false);
    h.kv.failing = false;
    await h.putRaw('development', '{"flags": garbage');
    h.now += 6000;
    const garbage = await h.evaluate(`${SINGLE}/static-bool`, { context: {} }, keyOf('development'));
    expect((await garbage.json<{ metadata: { flagSetVersion: number } }>()).metadata.flagSetVersion).toBe(3);
    await h.putRaw('development', JSON.stringify({ flags: {}, $rollgate: { format: 2 } }));
    h.now += 6000;
    expect((await h.evaluate(`${SINGLE}/static-bool`, { context: {} }, keyOf('development'))).status).toBe(200);
  });

  it('serves the bundled fallback to fallback keys when KV never answered', async () => {
    h.kv.failing = true;
    h.vars = { FALLBACK_CLIENT_KEYS: JSON.stringify({ production: [await sha256Hex('fallback-prod')] }) };
    const res = await h.evaluate(`${SINGLE}/new-checkout`, { context: { targetingKey: 'u' } }, 'fallback-prod');
    expect(res.status).toBe(200);
    expect((await res.json<{ metadata: Record<string, unknown> }>()).metadata['flagSetVersion']).toBe(0);
    expect((await h.evaluate(`${SINGLE}/new-checkout`, { context: {} }, keyOf('production'))).status).toBe(401);
    const health = await h.fetch('/health');
    expect(health.status).toBe(503);
    expect((await health.json<{ environments: Record<string, { source: string }> }>()).environments['production']!.source).toBe('fallback');
  });
});

describe('snapshot refresh', () => {
  const versionOf = async (res: Promise<Response>) => (await (await res).json<{ metadata: { flagSetVersion: number } }>()).metadata.flagSetVersion;

  it("switches from the bundled fallback to KV once KV answers, for the environment's own keys too", async () => {
    h.kv.failing = true;
    h.vars = { FALLBACK_CLIENT_KEYS: JSON.stringify({ production: [await sha256Hex('fallback-prod')] }) };
    expect(await versionOf(h.evaluate(`${SINGLE}/new-checkout`, { context: {} }, 'fallback-prod'))).toBe(0);
    expect((await h.evaluate(`${SINGLE}/new-checkout`, { context: {} }, keyOf('production'))).status).toBe(401);

    h.kv.failing = false;
    h.now += 5001;
    const res = await h.evaluate(`${SINGLE}/new-checkout`, { context: {} }, keyOf('production'));
    expect(res.status).toBe(200);
    expect((await res.json<{ metadata: { flagSetVersion: number } }>()).metadata.flagSetVersion).toBe(3);
    const health = await h.fetch('/health');
    expect(health.status).toBe(200);
    expect((await health.json<{ environments: Record<string, { source: string; version: number }> }>()).environments['production']).toMatchObject({
      source: 'kv',
      version: 3,
    });
  });

  it('requests that arrive while a refresh waits on KV share its one read and are all answered from the new snapshot', async () => {
    const key = keyOf('staging');
    expect(await versionOf(h.evaluate(`${SINGLE}/static-bool`, { context: {} }, key))).toBe(3);
    await h.publish(await snapshotOf('staging', 4));
    h.now += 5001;
    let release = () => {};
    h.kv.held = new Promise<void>((r) => (release = r));
    const reads = h.kv.reads;
    const first = versionOf(h.evaluate(`${SINGLE}/static-bool`, { context: {} }, key));
    // Let the first request start the KV reads, then send more while they are held.
    while (h.kv.reads === reads) await new Promise((r) => setTimeout(r, 1));
    await new Promise((r) => setTimeout(r, 10));
    const readsOfRefresh = h.kv.reads;
    const during = Array.from({ length: 5 }, (_, i) => versionOf(h.evaluate(`${SINGLE}/static-bool`, { context: { targetingKey: `u${i}` } }, key)));
    await new Promise((r) => setTimeout(r, 10));
    expect(h.kv.reads).toBe(readsOfRefresh);
    h.kv.held = null;
    release();
    expect(await Promise.all([first, ...during])).toEqual([4, 4, 4, 4, 4, 4]);
    expect(h.kv.reads).toBe(readsOfRefresh);
  });
});

describe('FLAG_OVERRIDES', () => {
  it('forces a variant with reason STATIC and override metadata, and ignores a bad override', async () => {
    h.vars = { FLAG_OVERRIDES: JSON.stringify({ development: { 'new-checkout': 'on', banner: 'no-such-variant' } }) };
    const forced = await h.evaluate(`${SINGLE}/new-checkout`, { context: {} }, keyOf('development'));
    expect(await forced.json()).toMatchObject({ value: true, variant: 'on', reason: 'STATIC', metadata: { override: true } });
    const untouched = await h.evaluate(`${SINGLE}/banner`, { context: { email: 'x@rollgate.dev' } }, keyOf('development'));
    expect(await untouched.json()).toMatchObject({ variant: 'staff', reason: 'TARGETING_MATCH' });
    const otherEnv = await h.evaluate(`${SINGLE}/new-checkout`, { context: {} }, keyOf('staging'));
    expect(await otherEnv.json()).toMatchObject({ value: false });
  });

  it('forces a variant with no KV at all, over the bundled fallback', async () => {
    h.kv.failing = true;
    h.vars = {
      FALLBACK_CLIENT_KEYS: JSON.stringify({ production: [await sha256Hex('fallback-prod')] }),
      FLAG_OVERRIDES: JSON.stringify({ production: { 'new-checkout': 'on' } }),
    };
    const res = await h.evaluate(`${SINGLE}/new-checkout`, { context: { targetingKey: 'u' } }, 'fallback-prod');
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ value: true, variant: 'on', reason: 'STATIC', metadata: { override: true, flagSetVersion: 0 } });
  });

  it('wins over an active rollout, for users in the cohort and key-less requests alike', async () => {
    await h.publish(await snapshotOf('development', 4, { rollouts: { 'new-checkout': { id: 'ro-1', variant: 'on', percent: 100 } } }));
    const rolled = await h.evaluate(`${SINGLE}/new-checkout`, { context: { targetingKey: 'u' } }, keyOf('development'));
    expect(await rolled.json()).toMatchObject({ value: true, variant: 'on', reason: 'SPLIT', metadata: { rolloutId: 'ro-1' } });

    h.vars = { FLAG_OVERRIDES: JSON.stringify({ development: { 'new-checkout': 'off' } }) };
    for (const context of [{ targetingKey: 'u' }, {}]) {
      const res = await h.evaluate(`${SINGLE}/new-checkout`, { context }, keyOf('development'));
      expect(await res.json()).toMatchObject({ value: false, variant: 'off', reason: 'STATIC', metadata: { override: true } });
    }
  });

  it('ignores FLAG_OVERRIDES that are not valid JSON', async () => {
    h.vars = { FLAG_OVERRIDES: '{oops' };
    const res = await h.evaluate(`${SINGLE}/new-checkout`, { context: {} }, keyOf('development'));
    expect(await res.json()).toMatchObject({ value: false, reason: 'STATIC' });
  });
});

describe('health', () => {
  it('reports version and age per environment', async () => {
    h.now = Date.UTC(2026, 10, 27, 12, 1, 30);
    const res = await h.fetch('/health');
    expect(res.status).toBe(200);
    const body = await res.json<{ status: string; environments: Record<string, unknown> }>();
    expect(body.status).toBe('ok');
    expect(body.environments['staging']).toEqual({ status: 'ok', version: 3, source: 'kv', publishedAt: '2026-11-27T12:00:00.000Z', ageSeconds: 90 });
  });

  it('has a trivial liveness route, and JSON 404s', async () => {
    expect(await (await h.fetch('/health/live')).text()).toBe('ok');
    const missing = await h.fetch('/nope');
    expect(missing.status).toBe(404);
    expect(await missing.json()).toHaveProperty('errorDetails');
  });
});
