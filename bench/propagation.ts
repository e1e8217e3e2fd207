/**
 * `propagation`: from a committed rollback to the edge and to connected clients.
 *
 * 1. Isolates (simulated, bench/propagation-sim.ts): Rollgate's SnapshotStore and FastCheck in
 *    colos × isolates, each colo with its own Cache API and a KV replica lagging writes by
 *    PROPAGATION_KV_LAG_MS (60 s), 20 requests/s on every isolate, a virtual clock. Time until
 *    every isolate serves the rollback, and coordinator calls/s, with the fast check on and off.
 * 2. SSE fan-out on workerd (Miniflare, the production bundle): N event streams open on one
 *    isolate, a config commit through the admin API, time until each stream's refetchEvaluation.
 */
import { fmtInt } from './lib/format';
import type { BenchFn, BudgetCheck, Table } from './lib/types';
import { adminHeaders, startRollgate } from './lib/workerd-server';
import { fmtMs, median, quantile } from './lib/workerd-stats';
import { simulate, type SimOptions } from './propagation-sim';

const TARGET_P99_MS = 5000;

function simRow(label: string, o: SimOptions, r: Awaited<ReturnType<typeof simulate>>): string[] {
  return [
    label,
    fmtInt(o.colos * o.isolatesPerColo),
    `${o.colos}`,
    `${o.requestRate}`,
    fmtMs(quantile(r.latencies, 0.5)),
    fmtMs(quantile(r.latencies, 0.99)),
    fmtMs(Math.max(...r.latencies)),
    (r.coordinatorCalls / r.simulatedSeconds).toFixed(1),
  ];
}

async function fanOut(streams: number, log: (line: string) => void): Promise<{ table: Table; lastMs: number }> {
  const srv = await startRollgate({ log });
  const ENV = 'staging';
  const aborts: AbortController[] = [];
  try {
    // 200 streams per key per isolate: enough keys for N streams.
    const keys: string[] = [];
    for (let k = 0; k < Math.ceil(streams / 200); k++) {
      const res = await fetch(`${srv.url}/admin/v1/environments/${ENV}/keys`, {
        method: 'POST',
        headers: adminHeaders(ENV),
        body: JSON.stringify({ name: `fan-${k}` }),
      });
      if (res.status !== 201 && res.status !== 200) throw new Error(`issuing a key answered ${res.status}: ${await res.text()}`);
      keys.push((await res.json<{ key: string }>()).key);
    }
    const urls: string[] = [];
    for (const key of keys) {
      for (;;) {
        const res = await fetch(`${srv.url}/ofrep/v1/evaluate/flags`, {
          method: 'POST',
          headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
          body: '{"context":{}}',
        });
        if (res.status === 200) {
          urls.push((await res.json<{ eventStreams: { url: string }[] }>()).eventStreams[0]!.url);
          break;
        }
        await new Promise((r) => setTimeout(r, 200)); // the key's snapshot is not served yet
      }
    }
    const got: number[] = [];
    let committedAt = 0;
    const opened: Promise<void>[] = [];
    const done: Promise<void>[] = [];
    for (let i = 0; i < streams; i++) {
      const ac = new AbortController();
      aborts.push(ac);
      let ready!: () => void;
      opened.push(new Promise<void>((r) => (ready = r)));
      done.push(
        (async () => {
          const res = await fetch(urls[i % urls.length]!, { signal: ac.signal });
          if (res.status !== 200 || !res.body) throw new Error(`stream ${i} answered ${res.status}`);
          const decoder = new TextDecoder();
          let text = '';
          for await (const chunk of res.body) {
            text += decoder.decode(chunk, { stream: true });
            if (text.includes('id: ')) ready();
            if (committedAt && text.includes('refetchEvaluation')) {
              got.push(Date.now() - committedAt);
              return;
            }
          }
        })(),
      );
    }
    await Promise.all(opened);
    log(`${streams} streams open`);
    committedAt = Date.now();
    const res = await fetch(`${srv.url}/admin/v1/environments/${ENV}/rollouts`, {
      method: 'POST',
      headers: adminHeaders(ENV),
      body: JSON.stringify({ flag: 'new-checkout', variant: 'on', strategy: 'fast', reason: 'bench fan-out' }),
    });
    if (res.status !== 201) throw new Error(`starting a rollout answered ${res.status}: ${await res.text()}`);
    await Promise.all(done);
    const lastMs = Math.max(...got);
    return {
      lastMs,
      table: {
        title: `SSE fan-out on workerd: ${streams} streams on one isolate, commit → refetchEvaluation`,
        columns: ['streams', 'p50', 'p99', 'last client'],
        rows: [[fmtInt(streams), fmtMs(median(got)), fmtMs(quantile(got, 0.99)), fmtMs(lastMs)]],
        notes: [
          'Commit = the admin API request that starts a rollout (sent at t=0); each stream counts when its first refetchEvaluation arrives.',
          'One isolate: its fast version check (once a second) learns the version, each stream’s 1 s loop sends the event.',
        ],
      },
    };
  } finally {
    for (const ac of aborts) ac.abort();
    await srv.dispose();
  }
}

export const propagation: BenchFn = async ({ quick, log }) => {
  const kvLagMs = Number(process.env['PROPAGATION_KV_LAG_MS'] ?? 60_000);
  const base: SimOptions = { colos: 10, isolatesPerColo: 5, kvLagMs, requestRate: 20, refreshMs: 5000, fastCheckMs: 1000, trials: quick ? 3 : 20, seed: 12 };
  const cases: [string, SimOptions][] = [
    ['fast check on', base],
    ['fast check on, 10× load', { ...base, requestRate: 200, trials: quick ? 2 : 5 }],
    ['fast check on, 5× colos', { ...base, colos: 50, trials: quick ? 2 : 5 }],
    ['fast check off (before)', { ...base, fastCheckMs: 0 }],
  ];
  const rows: string[][] = [];
  const budgets: BudgetCheck[] = [];
  const data: Record<string, unknown> = {};
  for (const [label, o] of cases) {
    const r = await simulate(o);
    log(`${label}: p99 ${fmtMs(quantile(r.latencies, 0.99))}`);
    rows.push(simRow(label, o, r));
    data[label] = {
      p50: quantile(r.latencies, 0.5),
      p99: quantile(r.latencies, 0.99),
      max: Math.max(...r.latencies),
      coordinatorCallsPerSecond: r.coordinatorCalls / r.simulatedSeconds,
    };
    if (label === 'fast check on') {
      const p99 = quantile(r.latencies, 0.99);
      budgets.push({
        name: `rollback → every isolate, KV lag ${kvLagMs / 1000} s (p99)`,
        target: `≤ ${TARGET_P99_MS / 1000} s`,
        measured: fmtMs(p99),
        pass: p99 <= TARGET_P99_MS,
      });
    }
  }
  const streams = quick ? 200 : 1000;
  const fan = await fanOut(streams, log);
  data['fanOut'] = { streams, lastMs: fan.lastMs };
  return {
    status: 'ok',
    tables: [
      {
        title: `Isolates: committed rollback → isolate serves it, KV lag ${kvLagMs / 1000} s (simulated)`,
        columns: ['case', 'isolates', 'colos', 'req/s per isolate', 'p50', 'p99', 'max', 'coordinator calls/s'],
        rows,
        notes: [
          'Rollgate’s SnapshotStore and FastCheck, 5 isolates per colo, each colo with its own Cache API and a KV replica that shows a write only after the lag; virtual clock in 10 ms steps.',
          'Not modelled: the coordinator RPC’s round trip (tens of ms) and the client’s own leg (the SSE event, then the bulk re-fetch).',
          'Coordinator calls are bounded per colo and per isolate (at most one check per isolate per second; the colo cache answers the rest), never per request.',
        ],
      },
      fan.table,
    ],
    budgets,
    data,
  };
};
