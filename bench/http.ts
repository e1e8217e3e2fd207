/**
 * `http`: OFREP through the production bundle on workerd (Miniflare, not `wrangler dev`), loaded
 * over loopback from a second process (wrk when installed, else autocannon). Four cases of the
 * same Worker in one run, interleaved round by round:
 *
 *   floor    GET /health/live — the trivial route: the runtime's and router's own cost
 *   single   POST /ofrep/v1/evaluate/flags/new-checkout (staging: `$ref`s, `in`, `ends_with`, `fractional`)
 *   bulk     POST /ofrep/v1/evaluate/flags (every flag of staging)
 *   bulk 304 the same with a matching If-None-Match
 *
 * Answers first: for seeded contexts, every single and bulk body must equal byte for byte what
 * evaluateFlag / evaluateAll give on the snapshot read back from KV (and the ETag its SHA-256),
 * otherwise the benchmark fails. KV reads are counted at the FLAGS binding (bench-kv worker).
 */
import { evaluateAll, evaluateFlag } from '../src/core/flags/flag-set';
import { zSnapshot } from '../src/core/schema/snapshot';
import { mulberry32 } from '../src/core/seeded-random';
import { etagOf } from '../src/http/ofrep/etag';
import { resolutionJson, statusOf } from '../src/http/ofrep/serialize';
import { type LoadedSnapshot, loadSnapshot } from '../src/store/loaded-snapshot';
import { snapshotKey } from '../src/store/keys';
import { fmtInt, fmtRatio, verdict } from './lib/format';
import { type LoadResult, type LoadSpec, loadTool, loadToolVersion, runLoad } from './lib/http-load';
import type { BenchFn, BenchOutcome, BudgetCheck } from './lib/types';
import { describeFrames, profileRoutes } from './lib/workerd-profile';
import { devClientKey, processCpuMs, type RollgateServer, startRollgate } from './lib/workerd-server';
import { fmtMs, fmtPct, fmtRate, median } from './lib/workerd-stats';

const ENV = 'staging';
const FLAG = 'new-checkout';

/** The context of every timed OFREP request: reaches `fractional` after the `$ref` checks miss. */
const TIMED_CONTEXT = {
  targetingKey: 'user-4711',
  email: 'jane.doe@mailbox.example',
  platform: 'ios',
  appVersion: '5.3.1',
  country: 'DE',
  plan: 'business',
};

interface CaseDef {
  id: 'floor' | 'single' | 'bulk' | 'bulk304';
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

/** Seeded contexts over the attributes the web-shop flags look at. */
function contexts(n: number): Record<string, unknown>[] {
  const rng = mulberry32(0x0f2e9);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rng() * xs.length)]!;
  const out: Record<string, unknown>[] = [TIMED_CONTEXT, {}];
  const emails = ['ana.silva@mailbox.example', 'li.wei@mailbox.example', 'ops@shop.example', 'kim@shop.example', 'someone@mailbox.example'];
  while (out.length < n) {
    const ctx: Record<string, unknown> = { targetingKey: `user-${Math.floor(rng() * 1e9)}` };
    if (rng() < 0.8) ctx['email'] = rng() < 0.5 ? pick(emails) : `u${Math.floor(rng() * 1e6)}@mailbox.example`;
    if (rng() < 0.6) ctx['platform'] = pick(['ios', 'android', 'web']);
    if (rng() < 0.6) ctx['appVersion'] = pick(['4.9.0', '5.1.9', '5.2.0', '5.10.3', '6.0.0-beta.1']);
    if (rng() < 0.6) ctx['country'] = pick(['NL', 'BE', 'DE', 'AT', 'US', 'FR', 'GB']);
    if (rng() < 0.5) ctx['plan'] = pick(['consumer', 'business', 'member']);
    if (rng() < 0.1) delete ctx['targetingKey'];
    out.push(ctx);
  }
  return out;
}

function bulkBody(snapshot: LoadedSnapshot, context: Record<string, unknown>, now: number): string {
  // Mirrors src/http/ofrep/routes.ts; any difference shows up as a mismatch below.
  const results = evaluateAll(snapshot.flags, context, now);
  let body = '{"flags":[';
  for (let i = 0; i < results.length; i++) body += (i ? ',' : '') + resolutionJson(results[i]!);
  return `${body}],"metadata":${JSON.stringify(snapshot.flags.metadata)}}`;
}

/** Byte-for-byte answer check of single and bulk OFREP against the evaluator on the KV snapshot. */
async function checkAnswers(server: RollgateServer, n: number, allFlagsFor: number): Promise<{ notes: string[]; etag: string; version: number }> {
  const raw = await (await server.kv()).get(snapshotKey(ENV), 'text');
  if (raw === null) throw new Error(`no ${snapshotKey(ENV)} in KV`);
  const { loaded } = loadSnapshot(zSnapshot.parse(JSON.parse(raw)), 'kv', {}, raw);
  const health = (await (await fetch(`${server.url}/health`)).json()) as { environments: Record<string, { version: number }> };
  if (health.environments[ENV]?.version !== loaded.version) {
    throw new Error(`the Worker serves ${ENV} v${health.environments[ENV]?.version}, KV holds v${loaded.version}`);
  }
  const headers = { authorization: `Bearer ${devClientKey(ENV)}`, 'content-type': 'application/json' };
  const mismatches: string[] = [];
  const outcomes = new Map<string, number>();
  let singles = 0;
  let bulks = 0;
  const ctxs = contexts(n);
  for (let i = 0; i < ctxs.length; i++) {
    const ctx = ctxs[i]!;
    const body = JSON.stringify({ context: ctx });
    const keys = i < allFlagsFor ? loaded.flags.list.map((f) => f.key) : [FLAG];
    for (const key of keys) {
      const r = await fetch(`${server.url}/ofrep/v1/evaluate/flags/${key}`, { method: 'POST', headers, body });
      const text = await r.text();
      const expected = evaluateFlag(loaded.flags, key, ctx, Date.now());
      const want = resolutionJson(expected);
      singles++;
      if (r.status !== statusOf(expected) || text !== want) {
        mismatches.push(`single ${key} context #${i}: got ${r.status} ${text}, expected ${statusOf(expected)} ${want}`);
      }
      if (key === FLAG) outcomes.set(`${expected.reason}:${expected.variant}`, (outcomes.get(`${expected.reason}:${expected.variant}`) ?? 0) + 1);
    }
    const r = await fetch(`${server.url}/ofrep/v1/evaluate/flags`, { method: 'POST', headers, body });
    const text = await r.text();
    const want = bulkBody(loaded, ctx, Date.now());
    const etag = await etagOf(want);
    bulks++;
    if (r.status !== 200 || text !== want || r.headers.get('etag') !== etag) {
      mismatches.push(`bulk context #${i}: got ${r.status} etag ${r.headers.get('etag')} ${text.slice(0, 200)}…, expected 200 etag ${etag} ${want.slice(0, 200)}…`);
    }
    const again = await fetch(`${server.url}/ofrep/v1/evaluate/flags`, { method: 'POST', headers: { ...headers, 'if-none-match': etag }, body });
    const againText = await again.text();
    if (again.status !== 304 || againText !== '' || again.headers.get('etag') !== etag) {
      mismatches.push(`bulk If-None-Match context #${i}: got ${again.status} etag ${again.headers.get('etag')} "${againText.slice(0, 80)}", expected 304 with etag ${etag} and no body`);
    }
    if (mismatches.length >= 5) break;
  }
  const live = await fetch(`${server.url}/health/live`);
  const liveText = await live.text();
  if (live.status !== 200 || liveText !== 'ok') mismatches.push(`GET /health/live: ${live.status} ${liveText}`);
  const noKey = await fetch(`${server.url}/ofrep/v1/evaluate/flags/${FLAG}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
  await noKey.arrayBuffer();
  if (noKey.status !== 401) mismatches.push(`no client key: got ${noKey.status}, expected 401`);
  if (mismatches.length) throw new Error(`OFREP answers differ from evaluateFlag/evaluateAll on the KV snapshot:\n  ${mismatches.join('\n  ')}`);

  const timed = JSON.stringify({ context: TIMED_CONTEXT });
  const etag = await etagOf(bulkBody(loaded, TIMED_CONTEXT, Date.now()));
  const spread = [...outcomes].sort((a, b) => b[1] - a[1]).map(([k, v]) => `${k} ${fmtPct(v / ctxs.length)}`).join(', ');
  return {
    etag,
    version: loaded.version,
    notes: [
      `Answer check (before timing): ${fmtInt(singles)} single and ${fmtInt(bulks)} bulk OFREP answers for ${fmtInt(ctxs.length)} seeded contexts (every flag for the first ${allFlagsFor}) are byte-identical to evaluateFlag / evaluateAll on the ${ENV} snapshot v${loaded.version} read back from KV; every bulk ETag is the body's SHA-256 and answers 304 with no body when sent back; GET /health/live is "ok"; no client key is 401. ${FLAG}: ${spread}.`,
      `Timed body: ${timed} (${FLAG} → ${resolutionJson(evaluateFlag(loaded.flags, FLAG, TIMED_CONTEXT, Date.now()))}).`,
    ],
  };
}

export const http: BenchFn = async (opts) => {
  const tool = loadTool();
  const connections = 10;
  const durationSec = opts.quick ? 2 : 8;
  const rounds = opts.quick ? 1 : 3;
  const warmupSec = opts.quick ? 1 : 2;
  opts.log(`load generator: ${loadToolVersion(tool)}${tool === 'autocannon' ? ' (wrk is not on PATH)' : ''}`);
  const server = await startRollgate({ countKv: true, log: opts.log });
  let result: Awaited<ReturnType<typeof measure>>;
  try {
    result = await measure(server, opts, tool, connections, durationSec, rounds, warmupSec);
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
    result.data = { ...result.data, profiles: profiles.map((p) => ({ route: p.route, requests: p.requests, busyPct: p.busyPct, frames: p.frames, ownTotals: p.ownTotals })) };
  }
  return result;
};

async function measure(
  server: RollgateServer,
  opts: Parameters<BenchFn>[0],
  tool: ReturnType<typeof loadTool>,
  connections: number,
  durationSec: number,
  rounds: number,
  warmupSec: number,
): Promise<BenchOutcome & { data: Record<string, unknown> }> {
  const check = await checkAnswers(server, opts.quick ? 60 : 400, opts.quick ? 5 : 40);
  opts.log('answers identical; timing');
  const headers = { authorization: `Bearer ${devClientKey(ENV)}`, 'content-type': 'application/json' };
  const body = JSON.stringify({ context: TIMED_CONTEXT });
  const base = { connections, durationSec };
  const cases: CaseDef[] = [
    { id: 'floor', label: 'floor: GET /health/live', spec: { ...base, url: `${server.url}/health/live`, method: 'GET', headers: {} }, expectStatus: 200 },
    { id: 'single', label: `OFREP single: POST …/flags/${FLAG}`, spec: { ...base, url: `${server.url}/ofrep/v1/evaluate/flags/${FLAG}`, method: 'POST', headers, body }, expectStatus: 200 },
    { id: 'bulk', label: 'OFREP bulk: POST …/flags', spec: { ...base, url: `${server.url}/ofrep/v1/evaluate/flags`, method: 'POST', headers, body }, expectStatus: 200 },
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
    return { round, load, workerdCpuMs: cpu1 - cpu0, kvReads: kv1.get + kv1.getWithMetadata - kv0.get - kv0.getWithMetadata, rps: (load.requests * 1000) / load.elapsedMs };
  };

  for (const c of cases) await runOne(c, -1, warmupSec); // warm-up: JIT, connections, snapshot memo
  const runs = new Map<string, CaseRun[]>(cases.map((c) => [c.id, []]));
  for (let r = 0; r < rounds; r++) {
    const order = r % 2 === 0 ? cases : [...cases].reverse();
    for (const c of order) {
      const run = await runOne(c, r);
      runs.get(c.id)!.push(run);
      opts.log(
        `round ${r + 1}/${rounds} ${c.id.padEnd(7)} ${fmtRate(run.rps).padStart(7)} req/s  p50 ${fmtMs(run.load.latencyMs.p50)}  p99 ${fmtMs(run.load.latencyMs.p99)}  workerd CPU ${fmtPct(run.workerdCpuMs / run.load.elapsedMs)}  client CPU ${fmtPct(run.load.cpuMs / run.load.elapsedMs)}  KV reads ${run.kvReads}`,
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
  const ofrep = summary.filter((s) => s.id !== 'floor');
  const ofrepReads = ofrep.reduce((n, s) => n + s.kvReads, 0);
  const ofrepRequests = ofrep.reduce((n, s) => n + s.requests, 0);
  const ofrepBound = ofrep.reduce((n, s) => n + s.kvReadBound, 0);

  const capacity = floorCpu / single.cpuPerReqUs;
  const budgets: BudgetCheck[] = [
    { name: 'OFREP single req/s vs floor (median of paired rounds)', target: '≥ 85 %', measured: fmtPct(single.ratioMedian), pass: single.ratioMedian >= 0.85 },
    {
      name: 'OFREP single vs floor, server side: floor ÷ single workerd CPU per request',
      target: '≥ 85 %',
      measured: `${fmtPct(capacity)} (${floorCpu.toFixed(1)} µs vs ${single.cpuPerReqUs.toFixed(1)} µs)`,
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
        columns: ['Case', 'Requests/s', 'vs floor', 'Latency p50', 'Latency p99', 'Requests (samples)', 'workerd CPU / request', 'CPU vs floor', 'workerd / client CPU', 'KV reads (per request)', 'Budget'],
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
          s.id === 'single' ? `≥ 85 %: ${verdict(s.ratioMedian >= 0.85)}` : '—',
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
          ...check.notes,
        ],
      },
    ],
    budgets,
    data: { tool: loadToolVersion(tool), connections, durationSec, rounds, summary, runs: Object.fromEntries(runs) } as Record<string, unknown>,
  } satisfies BenchOutcome;
}
