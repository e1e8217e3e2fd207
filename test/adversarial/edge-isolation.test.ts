import { describe, expect, it } from 'vitest';
import { MAX_SNAPSHOT_VERSION, type Snapshot } from '../../src/core/schema/snapshot';
import { snapshotKey } from '../../src/store/keys';
import { keyOf, reportKeyOf, snapshotOf } from '../helpers/fixture';
import { edgeEachTest, SINGLE } from '../helpers/edge-kit';
import type { Harness } from '../helpers/harness';

// Environment A's KV value is poisoned; environment B must not notice.
const A = 'development';
const B = 'staging';

interface HealthBody {
  status: string;
  environments: Record<string, { status: string; version: number | null; source: string; lastError?: string }>;
}

let h: Harness;
edgeEachTest((harness) => (h = harness));

/** An A snapshot at version 4 with `change` applied to its object form. */
async function aWith(change: (s: Snapshot & Record<string, unknown>) => void): Promise<string> {
  const s = (await snapshotOf(A, 4)) as Snapshot & Record<string, unknown>;
  change(s);
  return JSON.stringify(s);
}

/** Each way of poisoning A's KV value, as the text KV returns. */
const POISONS: Array<[string, () => Promise<string>]> = [
  ['nested ~5,000 deep at the top', async () => `${'{"a":'.repeat(5000)}1${'}'.repeat(5000)}`],
  ['garbage text', async () => '{"flags": garbage'],
  ['JSON that is not an object', async () => '[1,2,3]'],
  [
    'wrong types',
    () =>
      aWith((s) => {
        (s.$rollgate as Record<string, unknown>)['version'] = '4';
        (s as Record<string, unknown>)['flags'] = [];
      }),
  ],
  [
    'a version above MAX_SNAPSHOT_VERSION',
    () =>
      aWith((s) => {
        s.$rollgate.version = MAX_SNAPSHOT_VERSION + 1;
      }),
  ],
  [
    'a version of 2^53',
    () =>
      aWith((s) => {
        s.$rollgate.version = Number.MAX_SAFE_INTEGER;
      }),
  ],
  [
    'a negative version',
    () =>
      aWith((s) => {
        s.$rollgate.version = -1;
      }),
  ],
  ['an envelope for another environment', async () => JSON.stringify(await snapshotOf(B, 9))],
  [
    'a value larger than KV allows',
    () =>
      aWith((s) => {
        s['metadata'] = { pad: 'x'.repeat(25 * 1024 * 1024 + 1) };
      }),
  ],
];

/** Makes the harness's KV answer `text` for A's snapshot (values past KV's limit cannot be stored in it). */
function poisonA(text: string): () => void {
  const inner = h.kv.get;
  h.kv.get = (async (key: string, type?: unknown) => (key === snapshotKey(A) ? text : inner(key, type as 'text'))) as KVNamespace['get'];
  return () => {
    h.kv.get = inner;
  };
}

async function flagSetVersion(res: Response): Promise<number> {
  expect(res.status).toBe(200);
  return (await res.json<{ metadata: { flagSetVersion: number } }>()).metadata.flagSetVersion;
}

async function expectBServedNormally(): Promise<void> {
  const res = await h.evaluate(`${SINGLE}/banner`, { context: {} }, keyOf(B));
  expect(res.status).toBe(200);
  expect(await res.json()).toMatchObject({ value: 'Hello from staging', metadata: { flagSetVersion: 3 } });
  const bulk = await h.evaluate(SINGLE, { context: {} }, keyOf(B));
  expect(bulk.status).toBe(200);
  const metrics = await h.fetch('/v1/metrics', {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${reportKeyOf(B)}` },
    body: JSON.stringify({ reports: [{ flag: 'banner', variant: 'everyone', count: 1, errors: 0, latencyMs: [5] }] }),
  });
  expect(metrics.status, await metrics.clone().text()).toBe(202);
}

async function health(): Promise<{ status: number; body: HealthBody }> {
  const res = await h.fetch('/health');
  return { status: res.status, body: await res.json<HealthBody>() };
}

describe('one bad flag stays in its room: the edge validates each flag on first use', () => {
  it('a flag nested ~5,000 deep answers PARSE_ERROR alone; A serves its new version and B is untouched', async () => {
    const text = (
      await aWith((s) => {
        s.flags['static-bool']!.targeting = { if: '@DEEP@' };
      })
    ).replace('"@DEEP@"', `${'['.repeat(5000)}true${']'.repeat(5000)}`);
    poisonA(text);
    const bad = await h.evaluate(`${SINGLE}/static-bool`, { context: {} }, keyOf(A));
    expect(bad.status).toBe(400);
    expect(await bad.json()).toMatchObject({ key: 'static-bool', errorCode: 'PARSE_ERROR' });
    expect(await flagSetVersion(await h.evaluate(`${SINGLE}/banner`, { context: {} }, keyOf(A)))).toBe(4);
    const bulk = await h.evaluate(SINGLE, { context: {} }, keyOf(A));
    expect(bulk.status).toBe(200);
    const flags = (await bulk.json<{ flags: { key: string; errorCode?: string }[] }>()).flags;
    expect(flags.filter((f) => f.errorCode === 'PARSE_ERROR').map((f) => f.key)).toContain('static-bool');
    expect(flags.find((f) => f.key === 'banner')).not.toHaveProperty('errorCode');
    await expectBServedNormally();
  });
});

describe("one environment's bad snapshot stays in its room: a warm isolate keeps A's last good snapshot", () => {
  it.each(POISONS)('%s', async (_label, poison) => {
    // The isolate has loaded every environment at version 3.
    expect(await flagSetVersion(await h.evaluate(`${SINGLE}/static-bool`, { context: {} }, keyOf(A)))).toBe(3);
    const cure = poisonA(await poison());
    h.now += 6000; // past the refresh interval: the next request re-reads every environment

    await expectBServedNormally();
    expect(await flagSetVersion(await h.evaluate(`${SINGLE}/static-bool`, { context: {} }, keyOf(A)))).toBe(3);

    const { status, body } = await health();
    expect(status).toBe(503);
    expect(body.status).toBe('degraded');
    expect(body.environments[A]).toMatchObject({ status: 'degraded', source: 'last-known-good', version: 3, lastError: expect.any(String) });
    expect(body.environments[B]).toEqual({ status: 'ok', source: 'kv', version: 3, publishedAt: '2026-11-27T12:00:00.000Z', ageSeconds: expect.any(Number) });

    // Once A is published again, A is served and reported healthy again.
    cure();
    await h.publish(await snapshotOf(A, 5));
    h.now += 6000;
    expect(await flagSetVersion(await h.evaluate(`${SINGLE}/static-bool`, { context: {} }, keyOf(A)))).toBe(5);
    expect((await health()).body.environments[A]).toMatchObject({ status: 'ok', source: 'kv', version: 5 });
  });
});

describe("one environment's bad snapshot stays in its room: a cold isolate serves A's fallback", () => {
  it.each(POISONS)('%s', async (_label, poison) => {
    poisonA(await poison());

    await expectBServedNormally();
    // A has no last good snapshot: the bundled fallback accepts only FALLBACK_CLIENT_KEYS, so A's key is unknown (401, not 500).
    expect((await h.evaluate(`${SINGLE}/static-bool`, { context: {} }, keyOf(A))).status).toBe(401);

    const { status, body } = await health();
    expect(status).toBe(503);
    expect(body.environments[A]).toMatchObject({ status: 'degraded', source: 'fallback', version: 0, lastError: expect.any(String) });
    expect(body.environments[B]).toMatchObject({ status: 'ok', source: 'kv', version: 3 });
    expect(body.environments[B]).not.toHaveProperty('lastError');
  });

  it('reads a poisoned environment once per refresh interval, not on every request of another environment', async () => {
    poisonA(`${'['.repeat(5000)}${']'.repeat(5000)}`);
    await expectBServedNormally();
    const reads = h.kv.reads;
    for (let i = 0; i < 20; i++) {
      h.now += 100;
      expect((await h.evaluate(`${SINGLE}/banner`, { context: {} }, keyOf(B))).status).toBe(200);
    }
    expect(h.kv.reads).toBe(reads);
  });
});
