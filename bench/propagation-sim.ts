/**
 * The propagation simulation of `npm run bench -- propagation`: Rollgate's own SnapshotStore and
 * FastCheck in many simulated isolates across colos, each colo with its own Cache API and a KV
 * replica that shows writes only after a lag, one coordinator, request load on every isolate, and
 * a virtual clock (so a 60 s KV lag costs no minute of wall time). It measures, after a committed
 * rollback, how long until each isolate serves the new version, and what it cost the coordinator.
 */
import { buildSnapshot } from '../src/core/config/build-snapshot';
import type { RollgateConfig } from '../src/core/schema/config';
import { type ColoCache, FastCheck, type LatestSnapshotSource } from '../src/store/fast-check';
import { snapshotKey } from '../src/store/keys';
import { SnapshotStore } from '../src/store/snapshot-store';
import { mulberry32 } from '../test/helpers/seeded-random';

export interface SimOptions {
  colos: number;
  isolatesPerColo: number;
  /** How long a KV write takes to be visible in a colo (ms). */
  kvLagMs: number;
  /** Requests per second per isolate. */
  requestRate: number;
  refreshMs: number;
  /** 0: fast check off (today's behaviour). */
  fastCheckMs: number;
  /** Rollbacks simulated, each at a different phase of the isolates' timers. */
  trials: number;
  seed: number;
}

export interface SimResult {
  /** Commit → isolate serves the new version (ms), one per isolate per trial. */
  latencies: number[];
  coordinatorCalls: number;
  simulatedSeconds: number;
}

const ENV = 'production';
const STEP_MS = 10;

const config = (variant: 'on' | 'off'): RollgateConfig => ({
  environments: [ENV],
  flags: { 'new-checkout': { state: 'ENABLED', variants: { on: true, off: false }, defaultVariant: variant } },
});
const textOf = (version: number, variant: 'on' | 'off'): string =>
  JSON.stringify(
    buildSnapshot(config(variant), { environment: ENV, version, publishedAt: Date.UTC(2026, 10, 27), clientKeys: [{ name: 'k', sha256: 'a'.repeat(64) }] }),
  );

/** A colo's Cache API on the virtual clock, honouring max-age. */
function coloCache(clock: () => number): ColoCache {
  const entries = new Map<string, { text: string; expires: number }>();
  const urlOf = (req: RequestInfo | URL): string => (typeof req === 'string' ? req : req instanceof URL ? req.href : req.url);
  return {
    match: async (req: RequestInfo | URL) => {
      const e = entries.get(urlOf(req));
      return e && e.expires > clock() ? new Response(e.text) : undefined;
    },
    put: async (req: RequestInfo | URL, res: Response) => {
      const maxAge = Number(/max-age=(\d+)/.exec(res.headers.get('cache-control') ?? '')?.[1] ?? 0);
      entries.set(urlOf(req), { text: await res.text(), expires: clock() + maxAge * 1000 });
    },
  };
}

export async function simulate(o: SimOptions): Promise<SimResult> {
  const rand = mulberry32(o.seed); // seeded, so runs are repeatable
  let now = Date.UTC(2026, 10, 27, 12);
  const clock = () => now;
  const latencies: number[] = [];
  let coordinatorCalls = 0;
  let simulatedMs = 0;
  let version = 1;
  /** KV writes in order: [time written, text]. */
  const writes: [number, string][] = [[Number.NEGATIVE_INFINITY, textOf(1, 'on')]];
  const coordinator = { version: 1, text: textOf(1, 'on') };
  const source = (): LatestSnapshotSource => ({
    latestSnapshot: async (after: number) => {
      coordinatorCalls++;
      return { version: coordinator.version, text: coordinator.version > after ? coordinator.text : null };
    },
  });
  const colos = Array.from({ length: o.colos }, () => {
    const cache = coloCache(clock);
    const kv = {
      get: (async (key: string) => {
        if (key !== snapshotKey(ENV)) return null;
        let seen: string | null = null;
        for (const [at, text] of writes) if (at + o.kvLagMs <= now) seen = text;
        return seen;
      }) as unknown as KVNamespace['get'],
    };
    const isolates = Array.from({ length: o.isolatesPerColo }, () => {
      const store = new SnapshotStore({ refreshMs: o.refreshMs, overrides: () => ({}), fallback: () => undefined, log: () => undefined });
      return { store, fast: new FastCheck(store, { intervalMs: o.fastCheckMs, timeoutMs: 500, log: () => undefined }), nextRequest: 0 };
    });
    return { cache, kv, isolates };
  });
  const intervalMs = 1000 / o.requestRate;

  /** Advances the virtual clock by `ms`, serving every request due; returns the isolates' versions. */
  const run = async (ms: number, onServe?: (colo: number, isolate: number, version: number) => void): Promise<void> => {
    const end = now + ms;
    while (now < end) {
      now += STEP_MS;
      simulatedMs += STEP_MS;
      const background: Promise<void>[] = [];
      for (let c = 0; c < colos.length; c++) {
        const colo = colos[c]!;
        for (let i = 0; i < colo.isolates.length; i++) {
          const iso = colo.isolates[i]!;
          while (iso.nextRequest <= now) {
            iso.nextRequest += intervalMs;
            const snap = iso.store.peek(ENV, now) ?? (await iso.store.get(colo.kv, ENV, now));
            if (snap && onServe) onServe(c, i, snap.version);
            // As ctx.waitUntil: after the response, finished before the next step.
            if (iso.fast.claim(ENV, now)) background.push(iso.fast.run(ENV, source, colo.cache, now));
          }
        }
      }
      await Promise.all(background);
    }
  };

  for (const colo of colos) {
    for (const iso of colo.isolates) {
      iso.nextRequest = now + rand() * intervalMs;
      // Isolates start at different times: their once-a-second checks fall at different phases.
      iso.fast.claim(ENV, now - Math.floor(rand() * Math.max(1, o.fastCheckMs)));
    }
  }
  await run(Math.max(o.refreshMs, o.fastCheckMs) * 2);
  for (let trial = 0; trial < o.trials; trial++) {
    // A random phase before each rollback, so commits fall anywhere in the isolates' cycles.
    await run(Math.round(rand() * o.refreshMs));
    version++;
    const text = textOf(version, version % 2 === 0 ? 'off' : 'on');
    const committedAt = now;
    coordinator.version = version;
    coordinator.text = text;
    writes.push([now, text]);
    const done = new Map<string, number>();
    const total = o.colos * o.isolatesPerColo;
    while (done.size < total) {
      await run(STEP_MS * 5, (c, i, v) => {
        const key = `${c}/${i}`;
        if (v >= version && !done.has(key)) done.set(key, now - committedAt);
      });
      if (now - committedAt > o.kvLagMs + o.refreshMs * 4 + 10_000)
        throw new Error(`trial ${trial}: ${total - done.size} isolates never served version ${version}`);
    }
    latencies.push(...done.values());
    // KV catches up everywhere before the next trial, as it would between rollbacks.
    await run(Math.max(0, o.kvLagMs + o.refreshMs - (now - committedAt)));
  }
  return { latencies, coordinatorCalls, simulatedSeconds: simulatedMs / 1000 };
}
