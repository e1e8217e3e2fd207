import { describe, expect, it } from 'vitest';
import { buildSnapshot } from '../core/config/build-snapshot';
import type { RollgateConfig } from '../core/schema/config';
const MAX_SNAPSHOT_VERSION = 2 ** 40;
import { type Snapshot } from '../core/schema/snapshot';
import { evaluateFlag } from '../core/flags/flag-set';
import { snapshotKey } from './keys';
import { SnapshotStore, type SnapshotKv } from './snapshot-store';

const config: RollgateConfig = {
  environments: ['alpha', 'beta'],
  flags: { f: { state: 'ENABLED', variants: { on: true, off: false }, defaultVariant: 'on' } },
};
const snap = (environment: string, version: number): Snapshot =>
  buildSnapshot(config, { environment, version, publishedAt: Date.UTC(2026, 10, 27), clientKeys: [{ name: 'k', sha256: 'a'.repeat(64) }] });

/** A KV of raw texts that counts reads. */
function kvOf(values: Map<string, string>): SnapshotKv & { reads: number } {
  const kv = {
    reads: 0,
    get: (async (key: string) => {
      kv.reads++;
      return values.get(key) ?? null;
    }) as unknown as KVNamespace['get'],
  };
  return kv;
}

function storeOf(options: { fallback?: (env: string) => Snapshot | undefined } = {}) {
  const logs: Record<string, unknown>[] = [];
  const store = new SnapshotStore({ refreshMs: 1000, overrides: () => ({}), fallback: options.fallback ?? (() => undefined), log: (e) => logs.push(e) });
  return { store, logs };
}

const deep = (levels: number) => `${'['.repeat(levels)}${']'.repeat(levels)}`;

describe('SnapshotStore: a bad value stays in its environment', () => {
  it.each([
    [
      'nested 5,000 deep in the set metadata',
      (good: string) => good.replace('"flags":', `"metadata":{"x":${deep(5000)}},"flags":`),
      /nested deeper than 100 levels at \/metadata\/x\//,
    ],
    ['an array, not an object', () => '[]', /not a JSON object/],
    ['flags that are not an object', () => JSON.stringify({ ...snap('alpha', 5), flags: [] }), /invalid at \/flags: not an object/],
    ['a flag that is not an object', () => JSON.stringify({ ...snap('alpha', 5), flags: { f: 'on' } }), /invalid at \/flags\/f: not an object/],
    ['a flag named __proto__', (good: string) => good.replace('"flags":{', '"flags":{"__proto__":{"state":"ENABLED"},'), /flag named "__proto__"/],
    ['a __proto__ key at the top', (good: string) => good.replace('{', '{"__proto__":{"flags":{}},'), /"__proto__" key/],
    [
      'a __proto__ key in the envelope',
      (good: string) => good.replace('"$rollgate":{', '"$rollgate":{"__proto__":{"version":9},'),
      /"__proto__" key at \/\$rollgate\/__proto__/,
    ],
    ['not JSON', () => '{"flags": garbage', /not JSON/],
    [
      'a version above MAX_SNAPSHOT_VERSION',
      () => JSON.stringify({ ...snap('alpha', 5), $rollgate: { ...snap('alpha', 5).$rollgate, version: MAX_SNAPSHOT_VERSION + 1 } }),
      /invalid at \/\$rollgate\/version/,
    ],
    [
      'a negative version',
      () => JSON.stringify({ ...snap('alpha', 5), $rollgate: { ...snap('alpha', 5).$rollgate, version: -1 } }),
      /invalid at \/\$rollgate\/version/,
    ],
    [
      'a date that does not exist',
      () => JSON.stringify({ ...snap('alpha', 5), $rollgate: { ...snap('alpha', 5).$rollgate, publishedAt: '2026-13-45T99:00:00Z' } }),
      /invalid at \/\$rollgate\/publishedAt/,
    ],
    ["another environment's envelope", () => JSON.stringify(snap('beta', 9)), /for environment "beta"/],
    ['longer than KV allows', () => JSON.stringify({ ...snap('alpha', 5), metadata: { pad: 'x'.repeat(25 * 1024 * 1024) } }), /larger than/],
  ])('%s: keeps the last good snapshot, reports it, and never rejects', async (_label, poison, reason) => {
    const values = new Map([
      [snapshotKey('alpha'), JSON.stringify(snap('alpha', 3))],
      [snapshotKey('beta'), JSON.stringify(snap('beta', 7))],
    ]);
    const kv = kvOf(values);
    const { store } = storeOf();
    expect((await store.get(kv, 'alpha', 0))?.version).toBe(3);
    values.set(snapshotKey('alpha'), poison(values.get(snapshotKey('alpha'))!));
    expect((await store.get(kv, 'alpha', 2000))?.version).toBe(3);
    expect(store.status('alpha')).toMatchObject({ source: 'last-known-good', version: 3, lastError: expect.stringMatching(reason) });
    expect((await store.get(kv, 'beta', 2000))?.version).toBe(7);
    expect(store.status('beta')).toMatchObject({ source: 'kv', lastError: null });
  });

  it('a flag nested 5,000 deep or invalid answers PARSE_ERROR alone; the snapshot and its other flags are served', async () => {
    const good = JSON.stringify(snap('alpha', 3));
    const bad = good
      .replace(
        '"flags":{',
        `"flags":{"deep":{"state":"ENABLED","variants":{"on":true},"defaultVariant":"on","targeting":${deep(5000)}},"typo":{"state":"ON","variants":{}},`,
      )
      .replace('"version":3', '"version":4');
    const kv = kvOf(new Map([[snapshotKey('alpha'), bad]]));
    const { store } = storeOf();
    const loaded = await store.get(kv, 'alpha', 0);
    expect(loaded?.version).toBe(4);
    expect(store.status('alpha')).toMatchObject({ source: 'kv', lastError: null });
    expect(evaluateFlag(loaded!.flags, 'deep', {}, 0)).toMatchObject({
      errorCode: 'PARSE_ERROR',
      errorDetails: expect.stringContaining('nested deeper than 98 levels'),
    });
    expect(evaluateFlag(loaded!.flags, 'typo', {}, 0)).toMatchObject({
      errorCode: 'PARSE_ERROR',
      errorDetails: expect.stringContaining("invalid definition for flag 'typo'"),
    });
    expect(evaluateFlag(loaded!.flags, 'f', {}, 0)).toMatchObject({ reason: 'STATIC', value: true });
    expect(loaded!.flags.variants.get('typo')).toBeUndefined();
    expect([...loaded!.flags.variants.get('f')!]).toEqual(['on', 'off']);
  });

  it('logs an unchanged bad value once and does not parse it again; a new bad value is logged again', async () => {
    const values = new Map([[snapshotKey('alpha'), deep(5000)]]);
    const kv = kvOf(values);
    const { store, logs } = storeOf({ fallback: (env) => snap(env, 0) });
    for (let t = 0; t < 5; t++) expect((await store.get(kv, 'alpha', t * 1000))?.source).toBe('fallback');
    expect(kv.reads).toBe(5);
    expect(logs.filter((l) => l['event'] === 'snapshot_unavailable')).toHaveLength(1);
    values.set(snapshotKey('alpha'), 'garbage');
    await store.get(kv, 'alpha', 6000);
    await store.get(kv, 'alpha', 7000);
    expect(logs.filter((l) => l['event'] === 'snapshot_unavailable').map((l) => l['reason'])).toEqual([
      'snapshot in KV is not a JSON object',
      'snapshot in KV is not JSON',
    ]);
    values.set(snapshotKey('alpha'), JSON.stringify(snap('alpha', 4)));
    expect((await store.get(kv, 'alpha', 8000))?.version).toBe(4);
    expect(store.status('alpha')).toMatchObject({ source: 'kv', lastError: null });
  });

  it('turns anything thrown while loading (here: the fallback) into lastError, not a rejection', async () => {
    const kv = kvOf(new Map([[snapshotKey('alpha'), 'garbage']]));
    const { store } = storeOf({
      fallback: () => {
        throw new RangeError('Maximum call stack size exceeded');
      },
    });
    await expect(store.get(kv, 'alpha', 0)).resolves.toBeUndefined();
    expect(store.status('alpha')).toMatchObject({ source: 'none', lastError: expect.stringContaining('RangeError') });
  });

  it('re-reads an environment with nothing to serve once per refresh interval, not on every request', async () => {
    const kv = kvOf(new Map());
    const { store } = storeOf();
    expect(store.peek('alpha', 0)).toBeUndefined();
    await store.get(kv, 'alpha', 0);
    expect(store.peek('alpha', 500)).toBeNull();
    await store.get(kv, 'alpha', 500);
    expect(kv.reads).toBe(1);
    expect(store.peek('alpha', 1000)).toBeUndefined();
    await store.get(kv, 'alpha', 1000);
    expect(kv.reads).toBe(2);
  });
});

describe('SnapshotStore: a lower version', () => {
  it('is ignored as a stale replica for KV_PROPAGATION_MS, then served when KV still holds it', async () => {
    const values = new Map([[snapshotKey('alpha'), JSON.stringify(snap('alpha', 9))]]);
    const kv = kvOf(values);
    const { store, logs } = storeOf();
    expect((await store.get(kv, 'alpha', 0))?.version).toBe(9);
    values.set(snapshotKey('alpha'), JSON.stringify(snap('alpha', 4)));
    expect((await store.get(kv, 'alpha', 2000))?.version).toBe(9);
    expect((await store.get(kv, 'alpha', 2000 + 59_000))?.version).toBe(9);
    expect((await store.get(kv, 'alpha', 2000 + 60_000))?.version).toBe(4);
    expect(store.status('alpha')).toMatchObject({ source: 'kv', version: 4, lastError: null });
    expect(logs).toContainEqual(expect.objectContaining({ event: 'snapshot_version_reset', environment: 'alpha', from: 9, to: 4 }));
  });

  it('starts its wait again when KV answers the served version in between', async () => {
    const newer = JSON.stringify(snap('alpha', 9));
    const older = JSON.stringify(snap('alpha', 4));
    const values = new Map([[snapshotKey('alpha'), newer]]);
    const kv = kvOf(values);
    const { store } = storeOf();
    await store.get(kv, 'alpha', 0);
    values.set(snapshotKey('alpha'), older);
    await store.get(kv, 'alpha', 2000);
    values.set(snapshotKey('alpha'), newer);
    await store.get(kv, 'alpha', 30_000);
    values.set(snapshotKey('alpha'), older);
    expect((await store.get(kv, 'alpha', 62_000))?.version).toBe(9);
    expect((await store.get(kv, 'alpha', 122_000))?.version).toBe(4);
  });

  it('counts the wait from the first lower version, also when later lower versions follow (a repair, then changes)', async () => {
    const values = new Map([[snapshotKey('alpha'), JSON.stringify(snap('alpha', 9))]]);
    const kv = kvOf(values);
    const { store } = storeOf();
    await store.get(kv, 'alpha', 0);
    values.set(snapshotKey('alpha'), JSON.stringify(snap('alpha', 4)));
    await store.get(kv, 'alpha', 2000);
    values.set(snapshotKey('alpha'), JSON.stringify(snap('alpha', 5)));
    expect((await store.get(kv, 'alpha', 40_000))?.version).toBe(9);
    values.set(snapshotKey('alpha'), JSON.stringify(snap('alpha', 6)));
    expect((await store.get(kv, 'alpha', 62_000))?.version).toBe(6);
  });
});
