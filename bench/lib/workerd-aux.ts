/**
 * Two small bench-only Workers that run beside Rollgate in the same workerd (never deployed):
 *
 * - `bench-kv`: the FLAGS binding Rollgate sees when KV reads are counted. It is an RPC
 *   entrypoint (`CountingKv`) that forwards get/put/… to the real KV namespace and counts each
 *   call; GET /counts answers the counters. Rollgate's code is unchanged: it calls
 *   `env.FLAGS.get(key, 'text')` / `env.FLAGS.put(key, value)` as on the real binding.
 * - `bench-probe`: calls Rollgate's Durable Objects over RPC (as Rollgate's own code does) and
 *   times batches of calls inside workerd, so no HTTP or Node proxy hop is in the numbers. In
 *   workerd the clock only moves across I/O; every awaited RPC is I/O, so `Date.now()` after a
 *   batch is exact to the millisecond, and batches are ≥ `batchMs` long.
 */

export const COUNTING_KV_SOURCE = `
import { WorkerEntrypoint } from 'cloudflare:workers';
const counts = { get: 0, getWithMetadata: 0, put: 0, delete: 0, list: 0 };
export class CountingKv extends WorkerEntrypoint {
  get(key, type) { counts.get++; return this.env.KV.get(key, type); }
  getWithMetadata(key, type) { counts.getWithMetadata++; return this.env.KV.getWithMetadata(key, type); }
  put(key, value, options) { counts.put++; return this.env.KV.put(key, value, options); }
  delete(key) { counts.delete++; return this.env.KV.delete(key); }
  list(options) { counts.list++; return this.env.KV.list(options); }
}
export default {
  async fetch(request) {
    if (new URL(request.url).pathname === '/counts') return Response.json(counts);
    return new Response('not found', { status: 404 });
  },
};
`;

export const PROBE_SOURCE = `
async function timed(batchMs, maxReps, call) {
  const t0 = Date.now();
  let reps = 0;
  let result;
  do {
    result = await call(reps);
    reps++;
  } while (Date.now() - t0 < batchMs && reps < maxReps);
  return { reps, ms: Date.now() - t0, result };
}
export default {
  async fetch(request, env) {
    const path = new URL(request.url).pathname;
    const q = await request.json();
    try {
      if (path === '/rpc') {
        // { binding, name, method, args, batchMs?, maxReps?, stepArg?: index of a numeric arg to add the rep number to }
        const stub = env[q.binding].getByName(q.name);
        const out = await timed(q.batchMs ?? 0, q.maxReps ?? 1, (i) => {
          const args = q.args.slice();
          if (q.stepArg !== undefined) args[q.stepArg] = args[q.stepArg] + i;
          return stub[q.method](...args);
        });
        return Response.json(out);
      }
      if (path === '/kv') {
        // { key }: the raw KV value, read in workerd (a loopback round trip instead of Miniflare's Node proxy).
        return Response.json({ value: await env.KV.get(q.key, 'text') });
      }
      if (path === '/scheduled') {
        // { scheduledTime, batchMs?, maxReps? }: Rollgate's cron handler, one call per distinct scheduledTime.
        const out = await timed(q.batchMs ?? 0, q.maxReps ?? 1, (i) => env.ROLLGATE.scheduled({ scheduledTime: q.scheduledTime + i, cron: '* * * * *' }));
        return Response.json(out);
      }
      return new Response('not found', { status: 404 });
    } catch (err) {
      return Response.json({ error: String(err && err.stack || err) }, { status: 500 });
    }
  },
};
`;
