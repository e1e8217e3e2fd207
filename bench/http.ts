/**
 * `http`: OFREP through Rollgate's Worker on workerd (Miniflare, not `wrangler dev`), loaded over
 * loopback from a second process (wrk when installed, else autocannon), beside a peer. Cases, one
 * run, interleaved round by round:
 *
 *   post-floor POST /__bench/post-floor: reads and parses the timed OFREP body, answers a constant
 *              JSON of the single answer's size (bench build only: bench/worker/bench-entry.ts)
 *   get-floor  GET /health/live — the trivial route through the router (second reference)
 *   single     POST /ofrep/v1/evaluate/flags/new-checkout (staging: `$ref`s, `in`, `ends_with`, `fractional`)
 *   single-nl  the same request to the same bundle without rate-limit bindings (no limiter)
 *   bulk-nl    POST /ofrep/v1/evaluate/flags (every flag of staging), no limiter
 *   bulk304-nl the same with a matching If-None-Match, no limiter
 *   peer-*     the same requests to a Node OFREP server over flagd-core (bench/lib/peer-ofrep-server.mjs)
 *
 * The bundle is the bench's build: src/index.ts's Worker with the POST floor in front (one method
 * and path comparison per request). single runs as production does, through wrangler.toml's
 * rate-limit bindings with the limit raised (RAISED_LIMIT) so nothing is 429; the -nl cases run on
 * a second worker in the same workerd with the same bundle, vars, KV and Durable Objects but no
 * limiter bindings, so single − single-nl is the (local, Miniflare) limiter's cost.
 *
 * Answers first: for seeded contexts, every single and bulk body of both workers must equal byte
 * for byte what evaluateFlag / evaluateAll give on the snapshot read back from KV (and the ETag
 * its SHA-256), and the peer must give the same values; otherwise the benchmark fails.
 * ROLLGATE_HTTP_CASES=post-floor,single-nl,… runs only those cases (quick A/B while optimising).
 */
import { loadTool, loadToolVersion, runLoad } from './lib/http-load';
import { type CaseDef, type CaseRun, httpOutcome, type LoadShape } from './lib/http-table';
import { checkAnswers, contexts, ENV, FLAG, TIMED_CONTEXT } from './lib/ofrep-answers';
import { checkPeer, flagdDocumentOf, type PeerServer, startPeer } from './lib/peer-server';
import type { BenchFn, BenchOutcome } from './lib/types';
import { BENCH_ENTRY, buildWorker } from './lib/workerd-build';
import { describeFrames, profileRoutes } from './lib/workerd-profile';
import { devClientKey, processCpuMs, removeBuild, type RollgateServer, startRollgate } from './lib/workerd-server';
import { fmtMs, fmtPct, fmtRate } from './lib/workerd-stats';

/**
 * The limit every rate-limit binding gets here instead of wrangler.toml's (OFREP: 10,000 per 10 s).
 * All the load comes from one key and one address, so the production limit would turn nearly every
 * timed request into a 429. 10^9 per period is far above what 10 connections on loopback can send
 * in 10 s (~10^5), so every request still goes through the limiter and is answered 200/304.
 */
export const RAISED_LIMIT = 1_000_000_000;

/** The client address Cloudflare would set (TEST-NET-2): the limiter key is built as in production. */
export const CLIENT_IP = '198.51.100.7';

export const POST_FLOOR_PATH = '/__bench/post-floor';

export const http: BenchFn = async (opts) => {
  const tool = loadTool();
  const shape: LoadShape = { connections: 10, durationSec: opts.quick ? 2 : 8, rounds: opts.quick ? 1 : 3, warmupSec: opts.quick ? 1 : 2 };
  opts.log(`load generator: ${loadToolVersion(tool)}${tool === 'autocannon' ? ' (wrk is not on PATH)' : ''}`);
  const built = buildWorker(undefined, [], BENCH_ENTRY);
  let result: Awaited<ReturnType<typeof measure>>;
  try {
    const server = await startRollgate({ built, countKv: true, rateLimitsRaisedTo: RAISED_LIMIT, unlimitedTwin: true, log: opts.log });
    try {
      result = await measure(server, opts, tool, shape);
    } finally {
      await server.dispose();
    }
  } finally {
    removeBuild(built);
  }
  // A missed request-rate budget gets the profile's top frames (a separate, unminified server
  // with the inspector on: profiling slows it down, so it never shares a run with the timing).
  if ((!result.budgets[0]!.pass || !result.budgets[1]!.pass) && !opts.quick && !process.env['ROLLGATE_HTTP_CASES']) {
    opts.log('single missed its budget: profiling the POST floor, single and bulk in workerd');
    const profiles = await profileRoutes(['post-floor', 'single', 'bulk'], 6, opts.log);
    const table = result.tables[0]!;
    table.notes = [
      ...(table.notes ?? []),
      ...profiles.map(
        (p) =>
          `Profile (${p.route}, V8 sampling profiler of the rollgate isolate over workerd's inspector, unminified build of the same code, ${p.seconds.toFixed(0)} s under the same load; isolate busy ${p.busyPct.toFixed(0)} % of the time): self time in % of busy samples — ${describeFrames(p.frames, 10)}. Inclusive time of Rollgate's own functions — ${describeFrames(p.ownTotals, 8)}.`,
      ),
    ];
    result.data = {
      ...result.data,
      profiles: profiles.map((p) => ({ route: p.route, requests: p.requests, busyPct: p.busyPct, frames: p.frames, ownTotals: p.ownTotals })),
    };
  }
  return result;
};

async function measure(
  server: RollgateServer,
  opts: Parameters<BenchFn>[0],
  tool: ReturnType<typeof loadTool>,
  shape: LoadShape,
): Promise<BenchOutcome & { data: Record<string, unknown> }> {
  const headers = { authorization: `Bearer ${devClientKey(ENV)}`, 'content-type': 'application/json', 'cf-connecting-ip': CLIENT_IP };
  const nl = server.unlimitedUrl!;
  const [n, allFlagsFor] = opts.quick ? [60, 5] : [400, 40];
  const check = await checkAnswers(server, server.url, headers, n, allFlagsFor, 'with the limiter');
  const checkNl = await checkAnswers(server, nl, headers, n, allFlagsFor, 'the no-limiter worker');
  // Each worker's bulk answers were checked byte for byte against the evaluator; their ETags differ
  // only by the event-stream URL, which names the origin (each worker listens on its own port).
  opts.log(`answers as the evaluator gives them on both workers (bulk ETags ${check.etag}, ${checkNl.etag})`);
  const body = JSON.stringify({ context: TIMED_CONTEXT });
  const floorHeaders = { ...headers, 'x-bench-floor-bytes': String(check.singleBytes) };
  const floorAnswer = await fetch(`${nl}${POST_FLOOR_PATH}`, { method: 'POST', headers: floorHeaders, body });
  const floorBytes = (await floorAnswer.arrayBuffer()).byteLength;
  if (floorAnswer.status !== 200 || floorBytes !== check.singleBytes) {
    throw new Error(`POST floor answered ${floorAnswer.status} with ${floorBytes} bytes; expected 200 with ${check.singleBytes}`);
  }

  const peer: PeerServer = await startPeer(flagdDocumentOf(check.raw), devClientKey(ENV));
  try {
    const peerNote = await checkPeer(peer, check.snapshot, FLAG, contexts(opts.quick ? 50 : 200), headers);
    const peerEtag = (await fetch(`${peer.url}/ofrep/v1/evaluate/flags`, { method: 'POST', headers, body })).headers.get('etag')!;
    opts.log(`peer (flagd-core on Node, pid ${peer.pid}) on ${peer.url} answers as Rollgate does; timing`);
    const workerd = server.workerdPid;
    if (workerd === null) throw new Error('cannot find the workerd process for CPU accounting');
    const base = { connections: shape.connections, durationSec: shape.durationSec };
    const evalUrl = (origin: string, key?: string) => `${origin}/ofrep/v1/evaluate/flags${key ? `/${key}` : ''}`;
    const all: CaseDef[] = [
      {
        id: 'post-floor',
        label: 'POST floor: reads + parses the body, constant answer',
        pid: workerd,
        spec: { ...base, url: `${nl}${POST_FLOOR_PATH}`, method: 'POST', headers: floorHeaders, body },
        expectStatus: 200,
      },
      {
        id: 'get-floor',
        label: 'GET floor: GET /health/live',
        pid: workerd,
        spec: { ...base, url: `${server.url}/health/live`, method: 'GET', headers: {} },
        expectStatus: 200,
      },
      {
        id: 'single',
        label: `OFREP single, limiter: POST …/flags/${FLAG}`,
        pid: workerd,
        spec: { ...base, url: evalUrl(server.url, FLAG), method: 'POST', headers, body },
        expectStatus: 200,
      },
      {
        id: 'single-nl',
        label: `OFREP single: POST …/flags/${FLAG}`,
        pid: workerd,
        spec: { ...base, url: evalUrl(nl, FLAG), method: 'POST', headers, body },
        expectStatus: 200,
        peer: 'peer-single',
      },
      {
        id: 'bulk-nl',
        label: `OFREP bulk (${check.snapshot.flags.list.length} flags): POST …/flags`,
        pid: workerd,
        spec: { ...base, url: evalUrl(nl), method: 'POST', headers, body },
        expectStatus: 200,
        peer: 'peer-bulk',
      },
      {
        id: 'bulk304-nl',
        label: 'OFREP bulk, matching If-None-Match (304)',
        pid: workerd,
        spec: { ...base, url: evalUrl(nl), method: 'POST', headers: { ...headers, 'if-none-match': checkNl.etag }, body },
        expectStatus: 304,
        peer: 'peer-bulk304',
      },
      {
        id: 'peer-single',
        label: `peer (flagd-core, Node): single`,
        pid: peer.pid,
        spec: { ...base, url: evalUrl(peer.url, FLAG), method: 'POST', headers, body },
        expectStatus: 200,
      },
      {
        id: 'peer-bulk',
        label: 'peer (flagd-core, Node): bulk',
        pid: peer.pid,
        spec: { ...base, url: evalUrl(peer.url), method: 'POST', headers, body },
        expectStatus: 200,
      },
      {
        id: 'peer-bulk304',
        label: 'peer (flagd-core, Node): bulk 304',
        pid: peer.pid,
        spec: { ...base, url: evalUrl(peer.url), method: 'POST', headers: { ...headers, 'if-none-match': peerEtag }, body },
        expectStatus: 304,
      },
    ];
    const only = process.env['ROLLGATE_HTTP_CASES']?.split(',');
    const cases = only ? all.filter((c) => only.includes(c.id)) : all;

    const runOne = async (c: CaseDef, round: number, durationOverride?: number): Promise<CaseRun> => {
      const kv0 = (await server.kvCounts())!;
      const cpu0 = processCpuMs(c.pid);
      const load = await runLoad(tool, { ...c.spec, durationSec: durationOverride ?? c.spec.durationSec });
      const cpu1 = processCpuMs(c.pid);
      const kv1 = (await server.kvCounts())!;
      const unexpected = Object.entries(load.statuses).filter(([s]) => Number(s) !== c.expectStatus);
      if (unexpected.length || load.errors > 0 || load.requests === 0) {
        throw new Error(`${c.label}: expected only ${c.expectStatus}, got statuses ${JSON.stringify(load.statuses)}, ${load.errors} socket errors/timeouts`);
      }
      return {
        round,
        load,
        serverCpuMs: cpu1 - cpu0,
        kvReads: kv1.get + kv1.getWithMetadata - kv0.get - kv0.getWithMetadata,
        rps: (load.requests * 1000) / load.elapsedMs,
      };
    };

    for (const c of cases) await runOne(c, -1, shape.warmupSec); // warm-up: JIT, connections, snapshot memo
    const runs = new Map<string, CaseRun[]>(cases.map((c) => [c.id, []]));
    for (let r = 0; r < shape.rounds; r++) {
      const order = r % 2 === 0 ? cases : [...cases].reverse();
      for (const c of order) {
        const run = await runOne(c, r);
        runs.get(c.id)!.push(run);
        opts.log(
          `round ${r + 1}/${shape.rounds} ${c.id.padEnd(12)} ${fmtRate(run.rps).padStart(7)} req/s  p50 ${fmtMs(run.load.latencyMs.p50)}  p99 ${fmtMs(run.load.latencyMs.p99)}  server CPU ${fmtPct(run.serverCpuMs / run.load.elapsedMs)} (${((run.serverCpuMs * 1000) / run.load.requests).toFixed(1)} µs/req)  client CPU ${fmtPct(run.load.cpuMs / run.load.elapsedMs)}  KV reads ${run.kvReads}`,
        );
      }
    }
    return httpOutcome({
      server,
      tool,
      shape,
      cases,
      runs,
      flags: check.snapshot.flags.list.length,
      notes: [...check.notes, ...checkNl.notes.slice(0, 1), peerNote],
      raisedLimit: RAISED_LIMIT,
      clientIp: CLIENT_IP,
    });
  } finally {
    peer.dispose();
  }
}
