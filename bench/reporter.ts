/**
 * `reporter`: what the application-side reporter (sdk/openfeature) costs a request.
 *
 * 1. `record()` alone, in steady state (the aggregate of its minute exists): one pair, and 20
 *    pairs in turn (10 flags × 2 variants), with latencies spread over ~30 sketch bins.
 * 2. A whole request through Hono's `app.request` with the OpenFeature hook (AsyncLocalStorage
 *    scope) and the middleware, against the same app without them; the difference is the overhead
 *    per request (an in-memory provider, so no network is timed).
 * 3. Memory: the heap a full buffer holds (maxBufferedReports aggregates), with 30 and with all 379
 *    bins per aggregate, after a full GC; and the JSON size of a report (what a flush sends).
 */
import { InMemoryProvider, OpenFeature } from '@openfeature/server-sdk';
import { Hono } from 'hono';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { asyncLocalScopes, Reporter, rollgateHono, rollgateHook, scopeHints } from '../sdk/openfeature/src/node';
import { fmtBytes, fmtInt, fmtNs } from './lib/format';
import { type Case, DEFAULT_OPTIONS, measureCases, QUICK_OPTIONS } from './lib/measure';
import type { BenchFn, BudgetCheck, Table } from './lib/types';

const noSend = (async () => new Response('{}', { status: 202 })) as typeof fetch;
/** Latencies over ~30 bins (1 to ~3 ms apart), so the sketch update is not always the same bin. */
const LATENCIES = Array.from({ length: 1024 }, (_, i) => 5 + ((i * 37) % 64) * 1.7);

function recordCases(): Case[] {
  const one = new Reporter({ url: 'http://x', key: 'k', fetch: noSend, timers: false });
  const many = new Reporter({ url: 'http://x', key: 'k', fetch: noSend, timers: false });
  const pairs = Array.from({ length: 20 }, (_, i) => [`flag-${i >> 1}`, i % 2 ? 'on' : 'off'] as const);
  return [
    {
      name: 'record() one pair',
      inputs: LATENCIES.length,
      run(start, count) {
        for (let i = start; i < start + count; i++) one.record('new-checkout', 'on', { latencyMs: LATENCIES[i]!, error: (i & 63) === 0 });
        return one.stats().pendingReports;
      },
    },
    {
      name: 'record() 20 pairs in turn',
      inputs: LATENCIES.length,
      run(start, count) {
        for (let i = start; i < start + count; i++) {
          const p = pairs[i % 20]!;
          many.record(p[0], p[1], { latencyMs: LATENCIES[i]! });
        }
        return many.stats().pendingReports;
      },
    },
  ];
}

async function requestOverhead(quick: boolean): Promise<{ plainNs: number; measuredNs: number; explicitNs: number }> {
  const flags = { 'new-checkout': { variants: { on: true, off: false }, defaultVariant: 'off', disabled: false } };
  await OpenFeature.setProviderAndWait('bench-plain', new InMemoryProvider(flags));
  await OpenFeature.setProviderAndWait('bench-measured', new InMemoryProvider(flags));
  await OpenFeature.setProviderAndWait('bench-explicit', new InMemoryProvider(flags));
  const explicitClient = OpenFeature.getClient('bench-explicit');
  explicitClient.addHooks(rollgateHook());
  const plainClient = OpenFeature.getClient('bench-plain');
  const measuredClient = OpenFeature.getClient('bench-measured');
  const store = asyncLocalScopes();
  measuredClient.addHooks(rollgateHook(store));
  const reporter = new Reporter({ url: 'http://x', key: 'k', fetch: noSend, timers: false });
  const plain = new Hono();
  plain.get('/', async (c) => c.text(String(await plainClient.getBooleanValue('new-checkout', false, { targetingKey: 'u' }))));
  const measured = new Hono();
  measured.use(rollgateHono(reporter, { store }));
  measured.get('/', async (c) => c.text(String(await measuredClient.getBooleanValue('new-checkout', false, { targetingKey: 'u' }))));
  const explicit = new Hono();
  explicit.use(rollgateHono(reporter));
  explicit.get('/', async (c) =>
    c.text(String(await explicitClient.getBooleanValue('new-checkout', false, { targetingKey: 'u' }, { hookHints: scopeHints(c) }))),
  );
  const n = quick ? 2000 : 10_000;
  const run = async (app: Hono) => {
    const t0 = process.hrtime.bigint();
    for (let i = 0; i < n; i++) await (await app.request('/')).text();
    return Number(process.hrtime.bigint() - t0) / n;
  };
  await run(plain);
  await run(explicit);
  const a: number[] = [];
  const e: number[] = [];
  for (let r = 0; r < (quick ? 3 : 9); r++) {
    a.push(await run(plain));
    e.push(await run(explicit));
  }
  // AsyncLocalStorage last: on Node 22 its first use installs promise hooks that slow every later
  // promise in the process, so measuring it before the others would tax them too.
  await run(measured);
  const b: number[] = [];
  for (let r = 0; r < (quick ? 3 : 9); r++) b.push(await run(measured));
  await OpenFeature.close();
  const med = (xs: number[]) => [...xs].sort((x, y) => x - y)[Math.floor(xs.length / 2)]!;
  if (reporter.stats().recorded === 0) throw new Error('the middleware recorded nothing');
  return { plainNs: med(a), measuredNs: med(b), explicitNs: med(e) };
}

function heapOfFullBuffer(aggregates: number, binsEach: number): number {
  setFlagsFromString('--expose-gc');
  const gc = runInNewContext('gc') as () => void;
  gc();
  const before = process.memoryUsage().heapUsed;
  const r = new Reporter({ url: 'http://x', key: 'k', fetch: noSend, timers: false, maxBufferedReports: aggregates });
  for (let i = 0; i < aggregates; i++) for (let b = 0; b < binsEach; b++) r.record(`flag-${i}`, 'on', { latencyMs: 1.0409 ** b });
  // Over the bound: the oldest are dropped, the heap stays put.
  for (let i = 0; i < aggregates / 10; i++) r.record(`extra-${i}`, 'on', { latencyMs: 5 });
  gc();
  const used = process.memoryUsage().heapUsed - before;
  if (r.stats().pendingReports !== aggregates) throw new Error(`expected ${aggregates} buffered, got ${r.stats().pendingReports}`);
  return used;
}

export const reporter: BenchFn = async (opts) => {
  const timings = measureCases(recordCases(), opts.quick ? QUICK_OPTIONS : DEFAULT_OPTIONS);
  const req = await requestOverhead(opts.quick);
  const overheadNs = req.measuredNs - req.plainNs;
  const FULL = 2000;
  const heap30 = heapOfFullBuffer(FULL, 30);
  const heap379 = heapOfFullBuffer(FULL, 379);
  let reportBytes = 0;
  const probe = new Reporter({
    url: 'http://x',
    key: 'k',
    timers: false,
    fetch: async (_u: unknown, init?: RequestInit) => {
      reportBytes = typeof init?.body === 'string' ? init.body.length : 0;
      return new Response('{}', { status: 202 });
    },
  });
  for (const l of LATENCIES) probe.record('new-checkout', 'on', { latencyMs: l });
  await probe.flush();

  const tables: Table[] = [
    {
      title: 'Reporter cost per request (sdk/openfeature)',
      columns: ['case', 'median', 'p99 (batch avg)'],
      rows: [
        ...[...timings].map(([name, t]) => [name, fmtNs(t.medianNs), fmtNs(t.p99Ns)]),
        ['Hono request, OpenFeature evaluation, no reporting', fmtNs(req.plainNs), '—'],
        ['same, with hook + explicit scope (hook hints) + middleware', fmtNs(req.explicitNs), '—'],
        ['  overhead per request, explicit scope', fmtNs(req.explicitNs - req.plainNs), '—'],
        ['same, with hook + AsyncLocalStorage scope + middleware', fmtNs(req.measuredNs), '—'],
        ['  overhead per request, AsyncLocalStorage', fmtNs(overheadNs), '—'],
      ],
      notes: ['app.request in-process with an in-memory provider: no network is timed; medians of alternating runs.'],
    },
    {
      title: 'Reporter memory bound (heap after a full GC)',
      columns: ['buffer', 'heap', 'per aggregate'],
      rows: [
        [`${fmtInt(FULL)} aggregates × 30 bins`, fmtBytes(heap30), fmtBytes(Math.round(heap30 / FULL))],
        [`${fmtInt(FULL)} aggregates × 379 bins (every bin)`, fmtBytes(heap379), fmtBytes(Math.round(heap379 / FULL))],
        ['one report of ~30 bins as sent (JSON)', fmtBytes(reportBytes), '—'],
      ],
      notes: ['maxBufferedReports (default 2,000) bounds the aggregates; past it the oldest is dropped and counted.'],
    },
  ];
  const recordOne = timings.get('record() one pair')!.medianNs;
  const budgets: BudgetCheck[] = [
    { name: 'record() one pair', target: '< 1 µs', measured: fmtNs(recordOne), pass: recordOne < 1000 },
    {
      name: 'overhead per request, explicit scope',
      target: '< 20 µs',
      measured: fmtNs(req.explicitNs - req.plainNs),
      pass: req.explicitNs - req.plainNs < 20_000,
    },
    { name: 'overhead per request, AsyncLocalStorage', target: '< 20 µs', measured: fmtNs(overheadNs), pass: overheadNs < 20_000 },
    { name: 'heap, full default buffer × 379 bins', target: '< 32 MiB', measured: fmtBytes(heap379), pass: heap379 < 32 * 1024 * 1024 },
  ];
  return { status: 'ok', tables, budgets, data: { record: Object.fromEntries(timings), request: req, heap30, heap379, reportBytes } };
};
