/**
 * `cold`: time to first answer of a fresh isolate whose environment holds 10, 1,000 or 10,000
 * flags. The production bundle on workerd (as `http` serves it); the staging snapshot in KV is
 * replaced by a generated one of that size (the seeded envelope and client keys, so the dev key
 * still matches), workerd is restarted on the same state so every isolate is new, and the first
 * OFREP request is timed from Node: the isolate's runtime, the KV reads of every environment
 * (the client-key lookup needs them all), the snapshot's parse, structural check and load, the
 * first flag's validation and compile, the evaluation. The second request shows the warm cost.
 */
import { fmtInt } from './lib/format';
import { generateSnapshot, TARGET_KEY } from './lib/snapshot-gen';
import type { BenchFn } from './lib/types';
import { devClientKey, startRollgate } from './lib/workerd-server';
import { fmtMs, median } from './lib/workerd-stats';
import { snapshotKey } from '../src/store/keys';

const SIZES = [10, 1_000, 10_000];
const ENV = 'staging';

export const cold: BenchFn = async (opts) => {
  const repeats = opts.quick ? 2 : 5;
  const server = await startRollgate({ log: opts.log });
  try {
    // Miniflare's stubs die with each restart: the namespace is fetched again before each use.
    const kv = () => server.mf.getKVNamespace('FLAGS', 'rollgate');
    const seeded = await (await kv()).get(snapshotKey(ENV), 'text');
    if (seeded === null) throw new Error('no staging snapshot in KV');
    const envelope = (JSON.parse(seeded) as { $rollgate: Record<string, unknown> }).$rollgate;
    const headers = { authorization: `Bearer ${devClientKey(ENV)}`, 'content-type': 'application/json' };
    const body = JSON.stringify({ context: { targetingKey: 'user-4711', email: 'jane@rollgate.dev', country: 'DE' } });
    const rows: string[][] = [];
    const data: Record<string, unknown> = {};
    for (const size of SIZES) {
      const raw = JSON.stringify({ ...(JSON.parse(generateSnapshot(size)) as object), $rollgate: envelope });
      await (await kv()).put(snapshotKey(ENV), raw);
      const first: number[] = [];
      const second: number[] = [];
      for (let i = 0; i < repeats; i++) {
        const url = await server.restart();
        const timed = async (): Promise<number> => {
          const t0 = performance.now();
          const res = await fetch(`${url}/ofrep/v1/evaluate/flags/${TARGET_KEY}`, { method: 'POST', headers, body });
          const answer = await res.json<{ variant?: string; metadata?: { flagSetVersion?: number } }>();
          const ms = performance.now() - t0;
          if (res.status !== 200 || answer.variant !== 'internal') throw new Error(`${size} flags: first answer ${res.status} ${JSON.stringify(answer)}`);
          return ms;
        };
        first.push(await timed());
        second.push(await timed());
      }
      opts.log(`${fmtInt(size)} flags: first answer ${first.map((x) => fmtMs(x)).join(' / ')}; second ${fmtMs(median(second))}`);
      rows.push([
        fmtInt(size),
        `${(raw.length / 1024).toFixed(0)} KiB`,
        fmtMs(median(first)),
        fmtMs(Math.max(...first)),
        fmtMs(median(second)),
        String(repeats),
      ]);
      data[String(size)] = { first, second, bytes: raw.length };
    }
    return {
      status: 'ok',
      tables: [
        {
          title: 'Fresh isolate: time to first OFREP answer (workerd restarted before each sample)',
          columns: ['Flags (staging)', 'Snapshot', 'First answer, median', 'First answer, max', 'Second answer, median', 'Samples'],
          rows,
          notes: [
            "Production bundle on workerd via Miniflare (as `http`), seeded through the admin API; the staging snapshot in KV is then replaced by bench/lib/snapshot-gen.ts's flags under the seeded envelope, and workerd is restarted on the same state before each sample, so the request meets a new isolate: runtime setup, KV reads of all 3 environments (the client-key lookup needs them), JSON.parse + the structural check + loadSnapshot of each, then `bench-target`'s validation and compile on first use and its evaluation. Timed from Node over loopback (the request's own round trip, ~1 ms, included).",
            'The flag is compiled only when first used: the other flags of a 10,000-flag snapshot cost their share of JSON.parse and the structural check here, and their own validation and compile only when evaluated (a bulk request compiles all of them once).',
          ],
        },
      ],
      budgets: [],
      data,
    };
  } finally {
    await server.dispose();
  }
};
