/**
 * The `http` benchmark's summary, budgets and table (bench/http.ts runs the cases). Every ratio
 * is paired: the median over rounds of one case's requests/s divided by the other's in the same
 * round, so a slow spell on the shared machine cancels out.
 */
import { fmtInt, fmtRatio, verdict } from './format';
import { type LoadResult, type LoadSpec, type LoadTool, loadToolVersion } from './http-load';
import type { BenchOutcome, BudgetCheck } from './types';
import { devClientKey, type RollgateServer } from './workerd-server';
import { fmtMs, fmtPct, fmtRate, median } from './workerd-stats';

export type CaseId = 'post-floor' | 'get-floor' | 'single' | 'single-nl' | 'bulk-nl' | 'bulk304-nl' | 'peer-single' | 'peer-bulk' | 'peer-bulk304';

export interface CaseDef {
  id: CaseId;
  label: string;
  spec: LoadSpec;
  expectStatus: number;
  /** The process whose CPU time is the server's: workerd, or the peer's Node. */
  pid: number;
  /** The peer case serving the same request. */
  peer?: CaseId;
}

export interface CaseRun {
  round: number;
  load: LoadResult;
  serverCpuMs: number;
  kvReads: number;
  rps: number;
}

/** How hard and how long each case is loaded. */
export interface LoadShape {
  connections: number;
  durationSec: number;
  rounds: number;
  warmupSec: number;
}

interface Input {
  server: RollgateServer;
  tool: LoadTool;
  shape: LoadShape;
  cases: CaseDef[];
  runs: Map<string, CaseRun[]>;
  flags: number;
  notes: string[];
  raisedLimit: number;
  clientIp: string;
}

/** Budget: OFREP single (no limiter) against the POST floor, in the same run. */
const RPS_BUDGET = 0.9;
const CPU_BUDGET = 1.15;

export function httpOutcome({
  server,
  tool,
  shape,
  cases,
  runs,
  flags,
  notes,
  raisedLimit,
  clientIp,
}: Input): BenchOutcome & { data: Record<string, unknown> } {
  const paired = (a: string, b: string): number => {
    const ra = runs.get(a);
    const rb = runs.get(b);
    if (!ra || !rb) return Number.NaN;
    return median(ra.map((x) => x.rps / rb.find((y) => y.round === x.round)!.rps));
  };
  const summary = cases.map((c) => {
    const rs = runs.get(c.id)!;
    const requests = rs.reduce((n, x) => n + x.load.requests, 0);
    const elapsedMs = rs.reduce((n, x) => n + x.load.elapsedMs, 0);
    const serverCpuMs = rs.reduce((n, x) => n + x.serverCpuMs, 0);
    return {
      id: c.id,
      label: c.label,
      isPeer: c.id.startsWith('peer-'),
      rpsMedian: median(rs.map((x) => x.rps)),
      rpsRounds: rs.map((x) => x.rps),
      vsPostFloor: paired(c.id, 'post-floor'),
      vsGetFloor: paired(c.id, 'get-floor'),
      vsPeer: c.peer ? paired(c.id, c.peer) : Number.NaN,
      p50Ms: median(rs.map((x) => x.load.latencyMs.p50 ?? Number.NaN)),
      p99Ms: median(rs.map((x) => x.load.latencyMs.p99 ?? Number.NaN)),
      requests,
      elapsedMs,
      kvReads: rs.reduce((n, x) => n + x.kvReads, 0),
      kvReadBound: server.environments.length * rs.reduce((n, x) => n + Math.floor(x.load.elapsedMs / server.refreshMs) + 1, 0),
      cpuPerReqUs: (serverCpuMs * 1000) / requests,
      serverCpuShare: serverCpuMs / elapsedMs,
      clientCpuShare: rs.reduce((n, x) => n + x.load.cpuMs, 0) / elapsedMs,
    };
  });
  const get = (id: CaseId) => summary.find((s) => s.id === id);
  const singleNl = get('single-nl');
  const single = get('single');
  const cpuOf = (id: CaseId) => get(id)?.cpuPerReqUs ?? Number.NaN;
  const floorCpu = cpuOf('post-floor');
  const perFlag = (id: CaseId) => (cpuOf(id) - floorCpu) / flags;
  const limiter = single && singleNl ? { cpuUs: single.cpuPerReqUs - singleNl.cpuPerReqUs, rpsRatio: paired('single', 'single-nl') } : undefined;
  const rollgate = summary.filter((s) => !s.isPeer && s.id !== 'post-floor' && s.id !== 'get-floor');
  const ofrepReads = rollgate.reduce((n, s) => n + s.kvReads, 0);
  const ofrepRequests = rollgate.reduce((n, s) => n + s.requests, 0);
  const ofrepBound = rollgate.reduce((n, s) => n + s.kvReadBound, 0);
  const rpsRatio = singleNl?.vsPostFloor ?? Number.NaN;
  const cpuRatio = (singleNl?.cpuPerReqUs ?? Number.NaN) / floorCpu;

  const budgets: BudgetCheck[] = [
    {
      name: 'OFREP single (no limiter) req/s vs POST floor (median of paired rounds)',
      target: `≥ ${RPS_BUDGET * 100} %`,
      measured: fmtPct(rpsRatio),
      pass: rpsRatio >= RPS_BUDGET,
    },
    {
      name: 'OFREP single (no limiter) workerd CPU per request vs POST floor',
      target: `≤ ${CPU_BUDGET}×`,
      measured: `${fmtRatio(cpuRatio)} (${(singleNl?.cpuPerReqUs ?? Number.NaN).toFixed(1)} µs vs ${floorCpu.toFixed(1)} µs)`,
      pass: cpuRatio <= CPU_BUDGET,
    },
    {
      name: 'KV reads per OFREP request, steady state',
      target: `0 (only the time-driven re-check: ≤ ${server.environments.length} env × ⌈window / ${server.refreshMs / 1000} s⌉)`,
      measured: `${(ofrepReads / ofrepRequests).toExponential(1)} (${ofrepReads} reads / ${fmtInt(ofrepRequests)} requests; bound ${ofrepBound})`,
      pass: ofrepReads <= ofrepBound,
    },
  ];
  const pct = (x: number) => (Number.isFinite(x) ? fmtPct(x) : '—');
  return {
    status: 'ok',
    tables: [
      {
        title: `OFREP on workerd, the bench's build of the Worker, beside a flagd-core peer (${shape.connections} connections, ${shape.rounds} × ${shape.durationSec} s per case, interleaved; ${tool})`,
        columns: [
          'Case',
          'Requests/s',
          'vs POST floor',
          'vs GET floor',
          'vs peer',
          'Latency p50',
          'Latency p99',
          'Requests',
          'server CPU / request',
          'CPU vs POST floor',
          'server / client CPU',
          'KV reads',
          'Budget',
        ],
        rows: summary.map((s) => [
          s.label,
          fmtRate(s.rpsMedian),
          pct(s.vsPostFloor),
          pct(s.vsGetFloor),
          Number.isFinite(s.vsPeer) ? fmtRatio(s.vsPeer) : '—',
          fmtMs(s.p50Ms),
          fmtMs(s.p99Ms),
          fmtInt(s.requests),
          `${s.cpuPerReqUs.toFixed(1)} µs`,
          s.isPeer ? '—' : fmtRatio(s.cpuPerReqUs / floorCpu),
          `${fmtPct(s.serverCpuShare)} / ${fmtPct(s.clientCpuShare)}`,
          s.isPeer ? '—' : `${s.kvReads} (${s.requests ? (s.kvReads / s.requests).toExponential(1) : '—'})`,
          s.id === 'single-nl' ? `≥ ${RPS_BUDGET * 100} %: ${verdict(rpsRatio >= RPS_BUDGET)}; ≤ ${CPU_BUDGET}× CPU: ${verdict(cpuRatio <= CPU_BUDGET)}` : '—',
        ]),
        notes: [
          `Server: \`wrangler deploy --dry-run\` of bench/worker/bench-entry.ts (${server.built.totalKiB} KiB, minified): src/index.ts's Worker with one bench-only route in front, the POST floor (POST ${'/__bench/post-floor'}: \`JSON.parse(await request.text())\` of the timed body, then a constant JSON of the single answer's size); every other request reaches Rollgate's own fetch after one method and path comparison. On workerd via Miniflare with the bindings and vars of wrangler.toml and the secrets of .dev.vars.example, KV and Durable Objects on disk in a temp dir; requests go straight to the Worker's own socket on 127.0.0.1. Seeded through the admin API as \`npm start\` does; client key ${devClientKey('staging')}.`,
          `Peer: bench/lib/peer-ofrep-server.mjs, a Node ${process.version} \`http\` server over @openfeature/flagd-core (\`disableDynamicCodeGeneration: true\`, its JSON Logic interpreter: the only mode workerd allows) on the same staging flags (the KV snapshot without its envelope), answering the same requests: bearer-key check, JSON body, single (type from the flag's variants), bulk (\`resolveAll\`, SHA-256 ETag, 304 on If-None-Match). No rate limiter, no stream URL. "vs peer" is the median over rounds of Rollgate's requests/s ÷ the peer's for the same request; its server CPU is the Node process's.`,
          `Load: ${loadToolVersion(tool)} in a separate process, keep-alive, ${shape.connections} connections, ${shape.warmupSec} s warm-up per case, then ${shape.rounds} rounds of ${shape.durationSec} s per case, case order reversed every other round. Requests/s and latency percentiles are medians over rounds; "vs …" columns are medians over rounds of the paired ratio.`,
          `Per-round requests/s: ${summary.map((s) => `${s.id} ${s.rpsRounds.map(fmtRate).join(' / ')}`).join('; ')}.`,
          `server CPU / request = CPU time of the serving process (workerd, all threads; or the peer's Node), from /proc, during the case ÷ requests answered. "server / client CPU" is each process's CPU time ÷ wall time (100 % = one core; the machine has 2).`,
          `Per flag (bulk, ${flags} flags): (bulk − POST floor) ÷ ${flags} = ${perFlag('bulk-nl').toFixed(2)} µs workerd CPU per flag evaluated and serialised; bulk 304: ${perFlag('bulk304-nl').toFixed(2)} µs per flag (it evaluates and serialises every flag to hash the body, then sends none of it).`,
          `KV reads are every get() Rollgate made on its FLAGS binding during the timed windows (a counting RPC entrypoint stands in for the binding); the snapshot memo re-checks KV at most every ${server.refreshMs} ms per environment (${server.environments.length} environments), so the bound is ${server.environments.length} × (⌊window / ${server.refreshMs} ms⌋ + 1) per run.`,
          limiter
            ? `Limiter cost (single − single-nl): ${limiter.cpuUs >= 0 ? '+' : ''}${limiter.cpuUs.toFixed(1)} µs workerd CPU per request; requests/s ${fmtRatio(limiter.rpsRatio)} of single-nl. The limit is raised to ${fmtInt(raisedLimit)} per period, requests carry CF-Connecting-IP: ${clientIp}; locally the binding is Miniflare's simulation (a Durable Object and a SQLite write per request), not Cloudflare's service, so this is what a local run pays, not production.`
            : 'Limiter case not run.',
          ...notes,
        ],
      },
    ],
    budgets,
    data: {
      tool: loadToolVersion(tool),
      ...shape,
      raisedLimit,
      limiter,
      flags,
      perFlagUs: { bulk: perFlag('bulk-nl'), bulk304: perFlag('bulk304-nl') },
      summary,
      runs: Object.fromEntries(runs),
    },
  };
}
