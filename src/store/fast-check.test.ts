import { describe, expect, it } from 'vitest';
import { buildSnapshot } from '../core/config/build-snapshot';
import type { RollgateConfig } from '../core/schema/config';
import { KV_PROPAGATION_MS } from '../core/schema/snapshot';
import { type ColoCache, FastCheck, type LatestSnapshotSource } from './fast-check';
import { snapshotKey } from './keys';
import { type SnapshotKv, SnapshotStore } from './snapshot-store';

const config = (variant: 'on' | 'off'): RollgateConfig => ({
  environments: ['alpha'],
  flags: { f: { state: 'ENABLED', variants: { on: true, off: false }, defaultVariant: variant } },
});
const text = (version: number, variant: 'on' | 'off' = 'on'): string =>
  JSON.stringify(
    buildSnapshot(config(variant), { environment: 'alpha', version, publishedAt: Date.UTC(2026, 10, 27), clientKeys: [{ name: 'k', sha256: 'a'.repeat(64) }] }),
  );

/** A KV that answers whatever `value` holds: a lagging replica when the test leaves it old. */
function laggingKv(): SnapshotKv & { value: string } {
  const kv = { value: text(3, 'on'), get: (async (key: string) => (key === snapshotKey('alpha') ? kv.value : null)) as unknown as KVNamespace['get'] };
  return kv;
}

/** A coordinator that counts calls and answers `latest` (or fails). */
function coordinator(latest: { version: number; text: string }, behaviour: 'ok' | 'fail' | 'hang' | 'garbage' = 'ok') {
  const c = {
    calls: 0,
    latest,
    behaviour,
    source: (): LatestSnapshotSource => ({
      latestSnapshot: async (after: number) => {
        c.calls++;
        if (c.behaviour === 'fail') throw new Error('coordinator unreachable (test)');
        if (c.behaviour === 'hang') return new Promise(() => undefined);
        if (c.behaviour === 'garbage') return { version: Number.NaN, text: null };
        return { version: c.latest.version, text: c.latest.version > after ? c.latest.text : null };
      },
    }),
  };
  return c;
}

/** A colo cache shared by isolates (no expiry: the tests stay within one TTL). */
function colo(): ColoCache & { entries: Map<string, string> } {
  const entries = new Map<string, string>();
  const urlOf = (req: RequestInfo | URL): string => (typeof req === 'string' ? req : req instanceof URL ? req.href : req.url);
  return {
    entries,
    match: async (req: RequestInfo | URL) => {
      const hit = entries.get(urlOf(req));
      return hit === undefined ? undefined : new Response(hit);
    },
    put: async (req: RequestInfo | URL, res: Response) => {
      entries.set(urlOf(req), await res.text());
    },
  };
}

function isolate(intervalMs = 1000, timeoutMs = 50) {
  const logs: Record<string, unknown>[] = [];
  const store = new SnapshotStore({ refreshMs: 5000, overrides: () => ({}), fallback: () => undefined, log: (e) => logs.push(e) });
  return { store, fast: new FastCheck(store, { intervalMs, timeoutMs, log: (e) => logs.push(e) }), logs };
}

const T0 = Date.UTC(2026, 10, 27, 12);

describe('FastCheck', () => {
  it('claims a check at most once per interval per environment, and never when off', () => {
    const { fast } = isolate(1000);
    expect(fast.claim('alpha', T0)).toBe(true);
    expect(fast.claim('alpha', T0 + 999)).toBe(false);
    expect(fast.claim('beta', T0 + 999)).toBe(true);
    expect(fast.claim('alpha', T0 + 1000)).toBe(true);
    expect(isolate(0).fast.claim('alpha', T0)).toBe(false);
  });

  it('installs the coordinator’s newer version while KV still answers the old one, and keeps it past KV_PROPAGATION_MS', async () => {
    const kv = laggingKv();
    const { store, fast } = isolate();
    expect((await store.get(kv, 'alpha', T0))?.version).toBe(3);
    const c = coordinator({ version: 4, text: text(4, 'off') });
    await fast.run('alpha', c.source, colo(), T0 + 10);
    const served = await store.get(kv, 'alpha', T0 + 10);
    expect(served?.version).toBe(4);
    expect(served?.flags.metadata).toMatchObject({ flagSetVersion: 4 });
    // KV lags for longer than its propagation bound: the coordinator's version stays.
    expect((await store.get(kv, 'alpha', T0 + KV_PROPAGATION_MS + 10_000))?.version).toBe(4);
    expect((await store.get(kv, 'alpha', T0 + 2 * KV_PROPAGATION_MS + 20_000))?.version).toBe(4);
  });

  it('a colo asks the coordinator once: other isolates take the version and the text from the colo cache', async () => {
    const cache = colo();
    const c = coordinator({ version: 4, text: text(4, 'off') });
    const kv = laggingKv();
    const isolates = [isolate(), isolate(), isolate()];
    for (const i of isolates) await i.store.get(kv, 'alpha', T0);
    for (const i of isolates) await i.fast.run('alpha', c.source, cache, T0 + 10);
    expect(c.calls).toBe(1);
    for (const i of isolates) expect(i.store.servedVersion('alpha')).toBe(4);
  });

  it('changes nothing when the version is not newer', async () => {
    const kv = laggingKv();
    const { store, fast } = isolate();
    const before = await store.get(kv, 'alpha', T0);
    await fast.run('alpha', coordinator({ version: 3, text: text(3) }).source, colo(), T0 + 10);
    expect(await store.get(kv, 'alpha', T0 + 10)).toBe(before);
  });

  it.each(['fail', 'hang', 'garbage'] as const)('keeps serving last-known-good when the coordinator does %s, logging once', async (behaviour) => {
    const kv = laggingKv();
    const { store, fast, logs } = isolate();
    await store.get(kv, 'alpha', T0);
    const c = coordinator({ version: 4, text: text(4, 'off') }, behaviour);
    await fast.run('alpha', c.source, colo(), T0 + 10);
    await fast.run('alpha', c.source, colo(), T0 + 2000);
    expect(store.servedVersion('alpha')).toBe(3);
    expect(logs.filter((l) => l['event'] === 'fast_check_failed')).toHaveLength(1);
  });

  it('refuses an invalid text from the coordinator through the same validation as KV', async () => {
    const kv = laggingKv();
    const { store, fast, logs } = isolate();
    await store.get(kv, 'alpha', T0);
    await fast.run('alpha', coordinator({ version: 4, text: '{"flags": garbage' }).source, colo(), T0 + 10);
    expect(store.servedVersion('alpha')).toBe(3);
    expect(logs).toContainEqual(expect.objectContaining({ event: 'fast_snapshot_refused', reason: expect.stringMatching(/not JSON/) }));
  });
});
