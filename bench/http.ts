/**
 * `http`: OFREP through the production bundle on workerd (Miniflare, not `wrangler dev`), loaded
 * over loopback from a second process (wrk when installed, else autocannon). Five cases in one
 * run, interleaved round by round:
 *
 *   floor     GET /health/live — the trivial route: the runtime's and router's own cost
 *   single    POST /ofrep/v1/evaluate/flags/new-checkout (staging: `$ref`s, `in`, `ends_with`, `fractional`)
 *   single-nl the same request to the same bundle without rate-limit bindings (no limiter)
 *   bulk      POST /ofrep/v1/evaluate/flags (every flag of staging)
 *   bulk 304  the same with a matching If-None-Match
 *
 * Every case but single-nl runs as production does: OFREP calls OFREP_RATE_LIMIT.limit() once per
 * request, keyed `<env>:<key name>@<CF-Connecting-IP>`. The limit is raised far above what the load
 * can send (RAISED_LIMIT), so the limiter is called and counts but never answers 429.
 * single-nl is a second worker in the same workerd process (startRollgate's `unlimitedTwin`): same
 * bundle file, vars, KV and Durable Objects, the same load tool and headers, timed in the same
 * interleaved rounds, so single − single-nl is the limiter's cost and nothing else.
 *
 * Answers first: for seeded contexts, every single and bulk body of both workers must equal byte
 * for byte what evaluateFlag / evaluateAll give on the snapshot read back from KV (and the ETag
 * its SHA-256), otherwise the benchmark fails. KV reads are counted at the FLAGS binding (bench-kv worker).
 */
import { fmtInt, fmtRatio, verdict } from './lib/format';
import { type LoadResult, type LoadSpec, loadTool, loadToolVersion, runLoad } from './lib/http-load';
import { checkAnswers, ENV, FLAG, TIMED_CONTEXT } from './lib/ofrep-answers';
import type { BenchFn, BenchOutcome, BudgetCheck } from './lib/types';
import { describeFrames, profileRoutes } from './lib/workerd-profile';
import { devClientKey, processCpuMs, type RollgateServer, startRollgate } from './lib/workerd-server';
import { fmtMs, fmtPct, fmtRate, median } from './lib/workerd-stats';

/**
 * The limit every rate-limit binding gets here instead of wrangler.toml's (OFREP: 10,000 per 10 s).
 * All the load comes from one key and one address, so the production limit would turn nearly every
 * timed request into a 429 and time the rejection path, not an evaluation. 10^9 per period is far
 * above what 10 connections on loopback can send in 10 s (~10^5), so every request still goes
 * through the limiter (same binding, same call, same counting) and is answered 200/304; a 429
 * fails the run (runOne accepts only the expected status).
 */
const RAISED_LIMIT = 1_000_000_000;

/** The client address Cloudflare would set (TEST-NET-2): the limiter key is built as in production. */
const CLIENT_IP = '198.51.100.7';

interface CaseDef {
  id: 'floor' | 'single' | 'single-nl' | 'bulk' | 'bulk304';
  label: string;
  spec: LoadSpec;
  expectStatus: number;
}

interface CaseRun {
  round: number;
  load: LoadResult;
  workerdCpuMs: number;
  kvReads: number;
  rps: number;
}

export const http: BenchFn = async (opts) => {
  const tool = loadTool();
  const shape: LoadShape = { connections: 10, durationSec: opts.quick ? 2 : 8, rounds: opts.quick ? 1 : 3, warmupSec: opts.quick ? 1 : 2 };
  opts.log(`load generator: ${loadToolVersion(tool)}${tool === 'autocannon' ? ' (wrk is not on PATH)' : ''}`);
  const server = await startRollgate({ countKv: true, rateLimitsRaisedTo: RAISED_LIMIT, unlimitedTwin: true, log: opts.log });
  let result: Awaited<ReturnType<typeof measure>>;
  try {
    result = await measure(server, opts, tool, shape);
  } finally {
    await server.dispose();
  }
  // A missed request-rate budget gets the profile's top frames (a separate, unminified server
  // with the inspector on: profiling slows it down, so it never shares a run with the timing).
  if ((!result.budgets[0]!.pass || !result.budgets[1]!.pass) && !opts.quick) {
    opts.log('single missed its budget: profiling floor and single in workerd');
    const profiles = await profileRoutes(['floor', 'single'], 6, opts.log);
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

/** How hard and how long each case is loaded. */
interface LoadShape {
  connections: number;
  durationSec: number;
  rounds: number;
  warmupSec: number;
}

async function measure(
  server: RollgateServer,
  opts: Parameters<BenchFn>[0],
  tool: ReturnType<typeof loadTool>,
  { connections, durationSec, rounds, warmupSec }: LoadShape,
): Promise<BenchOutcome & { data: Record<string, unknown> }> {
  const headers = { authorization: `Bearer ${devClientKey(ENV)}`, 'content-type': 'application/json', 'cf-connecting-ip': CLIENT_IP };
  const unlimitedUrl = server.unlimitedUrl!;
  const [n, allFlagsFor] = opts.quick ? [60, 5] : [400, 40];
  const check = await checkAnswers(server, server.url, headers, n, allFlagsFor, 'with the limiter');
  const checkNl = await checkAnswers(server, unlimitedUrl, headers, n, allFlagsFor, 'the no-limiter worker');
  // Each worker's bulk answers were checked byte for byte against the evaluator; their ETags differ
  // only by the event-stream URL, which names the origin (each worker listens on its own port).
  opts.log(`answers as the evaluator gives them on both workers (bulk ETags ${check.etag}, ${checkNl.etag}); timing`);
  const body = JSON.stringify({ context: TIMED_CONTEXT });
  const base = { connections, durationSec };
  const cases: CaseDef[] = [
    { id: 'floor', label: 'floor: GET /health/live', spec: { ...base, url: `${server.url}/health/live`, method: 'GET', headers: {} }, expectStatus: 200 },
    {
      id: 'single',
      label: `OFREP single: POST …/flags/${FLAG}`,
      spec: { ...base, url: `${server.url}/ofrep/v1/evaluate/flags/${FLAG}`, method: 'POST', headers, body },
      expectStatus: 200,
    },
    {
      id: 'single-nl',
      label: `OFREP single, no limiter: POST …/flags/${FLAG}`,
      spec: { ...base, url: `${unlimitedUrl}/ofrep/v1/evaluate/flags/${FLAG}`, method: 'POST', headers, body },
      expectStatus: 200,
    },
    {
      id: 'bulk',
      label: 'OFREP bulk: POST …/flags',
      spec: { ...base, url: `${server.url}/ofrep/v1/evaluate/flags`, method: 'POST', headers, body },
      expectStatus: 200,
    },
    {
      id: 'bulk304',
      label: 'OFREP bulk, matching If-None-Match (304)',
      spec: { ...base, url: `${server.url}/ofrep/v1/evaluate/flags`, method: 'POST', headers: { ...headers, 'if-none-match': check.etag }, body },
      expectStatus: 304,
    },
  ];
  const pid = server.workerdPid;
  if (pid === null) throw new Error('cannot find the workerd process for CPU accounting');

  const runOne = async (c: CaseDef, round: number, durationOverride?: number): Promise<CaseRun> => {
    const kv0 = (await server.kvCounts())!;
    const cpu0 = processCpuMs(pid);
    const load = await runLoad(tool, { ...c.spec, durationSec: durationOverride ?? c.spec.durationSec });
    const cpu1 = processCpuMs(pid);
    const kv1 = (await server.kvCounts())!;
    const unexpected = Object.entries(load.statuses).filter(([s]) => Number(s) !== c.expectStatus);
    if (unexpected.length || load.errors > 0 || load.requests === 0) {
      throw new Error(`${c.label}: expected only ${c.expectStatus}, got statuses ${JSON.stringify(load.statuses)}, ${load.errors} socket errors/timeouts`);
    }
    return {
      round,
      load,
      workerdCpuMs: cpu1 - cpu0,
      kvReads: kv1.get + kv1.getWithMetadata - kv0.get - kv0.getWithMetadata,
      rps: (load.requests * 1000) / load.elapsedMs,
    };
  };

  for (const c of cases) await runOne(c, -1, warmupSec); // warm-up: JIT, connections, snapshot memo
  const runs = new Map<string, CaseRun[]>(cases.map((c) => [c.id, []]));
  for (let r = 0; r < rounds; r++) {
    const order = r % 2 === 0 ? cases : [...cases].reverse();
    for (const c of order) {
      const run = await runOne(c, r);
      runs.get(c.id)!.push(run);
      opts.log(
        `round ${r + 1}/${rounds} ${c.id.padEnd(9)} ${fmtRate(run.rps).padStart(7)} req/s  p50 ${fmtMs(run.load.latencyMs.p50)}  p99 ${fmtMs(run.load.latencyMs.p99)}  workerd CPU ${fmtPct(run.workerdCpuMs / run.load.elapsedMs)}  client CPU ${fmtPct(run.load.cpuMs / run.load.elapsedMs)}  KV reads ${run.kvReads}`,
      );
    }
  }

  const floorRuns = runs.get('floor')!;
  const summary = cases.map((c) => {
    const rs = runs.get(c.id)!;
    const requests = rs.reduce((n, x) => n + x.load.requests, 0);
    const elapsedMs = rs.reduce((n, x) => n + x.load.elapsedMs, 0);
    const kvReads = rs.reduce((n, x) => n + x.kvReads, 0);
    const workerdCpuMs = rs.reduce((n, x) => n + x.workerdCpuMs, 0);
    const clientCpuMs = rs.reduce((n, x) => n + x.load.cpuMs, 0);
    const ratios = rs.map((x) => x.rps / floorRuns.find((f) => f.round === x.round)!.rps);
    const cpuPerReqUs = (workerdCpuMs * 1000) / requests;
    return {
      id: c.id,
      label: c.label,
      rpsMedian: median(rs.map((x) => x.rps)),
      rpsRounds: rs.map((x) => x.rps),
      ratioMedian: median(ratios),
      ratios,
      p50Ms: median(rs.map((x) => x.load.latencyMs.p50 ?? Number.NaN)),
      p99Ms: median(rs.map((x) => x.load.latencyMs.p99 ?? Number.NaN)),
      requests,
      elapsedMs,
      kvReads,
      kvReadBound: server.environments.length * rs.reduce((n, x) => n + Math.floor(x.load.elapsedMs / server.refreshMs) + 1, 0),
      cpuPerReqUs,
      workerdCpuShare: workerdCpuMs / elapsedMs,
      clientCpuShare: clientCpuMs / elapsedMs,
    };
  });
  const floorCpu = summary[0]!.cpuPerReqUs;
  const single = summary.find((s) => s.id === 'single')!;
  const singleNl = summary.find((s) => s.id === 'single-nl')!;
  // The limiter's cost: single (limiter) against single-nl (none), paired by round like "vs floor".
  const nlRuns = runs.get('single-nl')!;
  const limiterRpsRatio = median(runs.get('single')!.map((x) => x.rps / nlRuns.find((y) => y.round === x.round)!.rps));
  const limiter = {
    cpuUs: single.cpuPerReqUs - singleNl.cpuPerReqUs,
    cpuPct: single.cpuPerReqUs / singleNl.cpuPerReqUs - 1,
    rpsRatio: limiterRpsRatio,
    rpsChangePct: limiterRpsRatio - 1,
  };
  const ofrep = summary.filter((s) => s.id !== 'floor');
  const ofrepReads = ofrep.reduce((n, s) => n + s.kvReads, 0);
  const ofrepRequests = ofrep.reduce((n, s) => n + s.requests, 0);
  const ofrepBound = ofrep.reduce((n, s) => n + s.kvReadBound, 0);

  // The budgets judge Rollgate's own code: single without the limiter. Locally the limiter is
  // Miniflare's simulation (a Durable Object and a SQLite write per request), not Cloudflare's
  // service, so its cost is reported beside the budgets (the limiter note), not judged by them.
  const capacity = floorCpu / singleNl.cpuPerReqUs;
  const budgets: BudgetCheck[] = [
    {
      name: 'OFREP single (no limiter) req/s vs floor (median of paired rounds)',
      target: '≥ 85 %',
      measured: fmtPct(singleNl.ratioMedian),
      pass: singleNl.ratioMedian >= 0.85,
    },
    {
      name: 'OFREP single (no limiter) vs floor, server side: floor ÷ single workerd CPU per request',
      target: '≥ 85 %',
      measured: `${fmtPct(capacity)} (${floorCpu.toFixed(1)} µs vs ${singleNl.cpuPerReqUs.toFixed(1)} µs)`,
      pass: capacity >= 0.85,
    },
    {
      name: 'KV reads per OFREP request, steady state',
      target: `0 (only the time-driven re-check: ≤ ${server.environments.length} env × ⌈window / ${server.refreshMs / 1000} s⌉)`,
      measured: `${(ofrepReads / ofrepRequests).toExponential(1)} (${ofrepReads} reads / ${fmtInt(ofrepRequests)} requests; bound ${ofrepBound})`,
      pass: ofrepReads <= ofrepBound,
    },
  ];
  const floorRow = summary[0]!;
  return {
    status: 'ok',
    tables: [
      {
        title: `OFREP on workerd, production bundle (${connections} connections, ${rounds} × ${durationSec} s per case, interleaved; ${tool})`,
        columns: [
          'Case',
          'Requests/s',
          'vs floor',
          'Latency p50',
          'Latency p99',
          'Requests (samples)',
          'workerd CPU / request',
          'CPU vs floor',
          'workerd / client CPU',
          'KV reads (per request)',
          'Budget',
        ],
        rows: summary.map((s) => [
          s.label,
          fmtRate(s.rpsMedian),
          s.id === 'floor' ? '1.00×' : `${fmtPct(s.ratioMedian)}`,
          fmtMs(s.p50Ms),
          fmtMs(s.p99Ms),
          fmtInt(s.requests),
          `${s.cpuPerReqUs.toFixed(1)} µs`,
          s.id === 'floor' ? '1.00×' : fmtRatio(s.cpuPerReqUs / floorCpu),
          `${fmtPct(s.workerdCpuShare)} / ${fmtPct(s.clientCpuShare)}`,
          `${s.kvReads} (${s.requests ? (s.kvReads / s.requests).toExponential(1) : '—'})`,
          s.id === 'single-nl' ? `≥ 85 %: ${verdict(s.ratioMedian >= 0.85)}` : '—',
        ]),
        notes: [
          `Server: \`wrangler deploy --dry-run\` bundle (${server.built.totalKiB} KiB, minified) on workerd via Miniflare with the bindings and vars of wrangler.toml and the secrets of .dev.vars.example, KV and Durable Objects on disk in a temp dir; requests go straight to the Worker's own socket on 127.0.0.1 (no \`wrangler dev\`, no inspector, no Miniflare entry worker). Seeded through the admin API as \`npm start\` does; client key ${devClientKey(ENV)}.`,
          `Load: ${loadToolVersion(tool)} in a separate process, keep-alive, ${connections} connections, ${warmupSec} s warm-up per case, then ${rounds} rounds of ${durationSec} s per case, case order reversed every other round. Requests/s and latency percentiles are the median over rounds; latency is per request, measured by the load process; "vs floor" is the median over rounds of the case's requests/s divided by the floor's in the same round.`,
          `Per-round requests/s: ${summary.map((s) => `${s.id} ${s.rpsRounds.map(fmtRate).join(' / ')}`).join('; ')}.`,
          `workerd CPU / request = CPU time of the workerd process (all threads, /proc) during the case ÷ requests answered: the server's cost per request, whatever limits the rate. "CPU vs floor" is that cost relative to the floor's. "workerd / client CPU" is each process's CPU time ÷ wall time (100 % = one core; the machine has 2).`,
          floorRow.workerdCpuShare < 0.9
            ? `Caution: during the floor case workerd used only ${fmtPct(floorRow.workerdCpuShare)} of a core (the load process ${fmtPct(floorRow.clientCpuShare)}): its rate was limited by the load generator or by other work on this 2-core machine, not by workerd, which pulls the requests/s ratios toward 1. The CPU-per-request ratio (second budget row) does not depend on what limits the rate.`
            : `workerd ran at ${fmtPct(floorRow.workerdCpuShare)} of a core in the floor case: the rate is the server's.`,
          `KV reads are every get() Rollgate made on its FLAGS binding during the timed windows, counted by a forwarding RPC entrypoint that stands in for the binding. The snapshot memo re-checks KV at most every SNAPSHOT_REFRESH_MS = ${server.refreshMs} ms per environment (${server.environments.length} environments: the client-key lookup consults all of them), so a nonzero count is time-driven, not per request; the bound is ${server.environments.length} × (⌊window / ${server.refreshMs} ms⌋ + 1) per run.`,
          `Limiter cost (single − single, no limiter): ${limiter.cpuUs >= 0 ? '+' : ''}${limiter.cpuUs.toFixed(1)} µs workerd CPU per request (${limiter.cpuPct >= 0 ? '+' : ''}${fmtPct(limiter.cpuPct)}: ${single.cpuPerReqUs.toFixed(1)} vs ${singleNl.cpuPerReqUs.toFixed(1)} µs); requests/s ${limiter.rpsChangePct >= 0 ? '+' : ''}${fmtPct(limiter.rpsChangePct)} (median over rounds of single ÷ single-no-limiter in the same round: ${fmtRatio(limiter.rpsRatio)}).`,
          `Rate limits: every case but "no limiter" runs with wrangler.toml's [[ratelimits]] bindings (names, namespaces, periods) and OFREP's one limit() call per request, keyed \`${ENV}:<key name>@${CLIENT_IP}\` (each request carries CF-Connecting-IP: ${CLIENT_IP}, as Cloudflare sets it); the limit is raised to ${fmtInt(RAISED_LIMIT)} per period so that the single-key load is never answered 429. Locally the binding is Miniflare's simulation: one call from the isolate to a rate-limiter Durable Object in the same workerd process and one SQLite read and write there per request, all counted in workerd CPU. Cloudflare's limiter is a different service outside the Worker, so the limiter cost above is Miniflare's limiter's (what a local run pays), not a measurement of production's. "no limiter" is the same bundle as a second worker in the same workerd, without the bindings (the Worker then logs once that requests are not limited).`,
          ...check.notes,
          ...checkNl.notes.slice(0, 1),
        ],
      },
    ],
    budgets,
    data: {
      tool: loadToolVersion(tool),
      connections,
      durationSec,
      rounds,
      raisedLimit: RAISED_LIMIT,
      limiter,
      summary,
      runs: Object.fromEntries(runs),
    } as Record<string, unknown>,
  } satisfies BenchOutcome;
}
