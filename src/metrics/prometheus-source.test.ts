import { describe, expect, it } from 'vitest';
import { binOf } from '../core/metrics/sketch';
import type { PrometheusSource } from '../core/schema/metrics-source';
import { prometheusSignals } from './prometheus-source';

const MIN = 60_000;
const T = 1_800_000_000_000 - (1_800_000_000_000 % MIN); // a minute start
const SOURCE: PrometheusSource = {
  source: 'prometheus',
  url: 'http://127.0.0.1:9090/',
  headers: { Authorization: { secret: 'prom' } },
  queries: {
    requests: 'sum(increase(req{flag="{{flag}}",variant="{{variant}}"}[{{window}}]))',
    errors: 'sum(increase(req{flag="{{flag}}",variant="{{variant}}",outcome="error"}[{{window}}]))',
    latencyBuckets: 'sum by (le) (increase(lat_bucket{variant="{{variant}}"}[{{window}}]))',
  },
};

/** A fake Prometheus: answers each query from `values(query, time)`, recording what it was asked. */
function fakeProm(values: (query: string, t: number) => Array<{ metric?: Record<string, string>; value: string }>) {
  const calls: Array<{ url: URL; auth: string | null }> = [];
  const fetcher = (async (input: RequestInfo | URL, init?: RequestInit) => {
    const url = new URL(input instanceof Request ? input.url : input);
    calls.push({ url, auth: new Headers(init?.headers).get('authorization') });
    const q = url.searchParams.get('query')!;
    if (url.pathname === '/api/v1/query') {
      const t = Number(url.searchParams.get('time'));
      const result = values(q, t).map((s) => ({ metric: s.metric ?? {}, value: [t, s.value] }));
      return Response.json({ status: 'success', data: { resultType: 'vector', result } });
    }
    const [start, end, step] = ['start', 'end', 'step'].map((k) => Number(url.searchParams.get(k)));
    const byMetric = new Map<string, { metric: Record<string, string>; values: Array<[number, string]> }>();
    for (let t = start!; t <= end!; t += step!) {
      for (const s of values(q, t)) {
        const key = JSON.stringify(s.metric ?? {});
        const entry = byMetric.get(key) ?? { metric: s.metric ?? {}, values: [] };
        entry.values.push([t, s.value]);
        byMetric.set(key, entry);
      }
    }
    return Response.json({ status: 'success', data: { resultType: 'matrix', result: [...byMetric.values()] } });
  }) as typeof fetch;
  return { fetcher, calls };
}

const query = {
  flag: 'new-checkout',
  treatment: 'on',
  baseline: 'off',
  now: T + 30_000,
  minutes: 2,
  since: T - 3 * MIN - 20_000,
  bakeFrom: null,
  pairsFrom: T - 10 * MIN,
};

describe('prometheusSignals', () => {
  it('reads both cohorts minute by minute, each at its end, leaving out the minute the rollout started in', async () => {
    const prom = fakeProm((q, t) => {
      const on = q.includes('variant="on"');
      if (q.includes('lat_bucket'))
        return [
          { metric: { le: '0.1' }, value: on ? '40' : '900' },
          { metric: { le: '+Inf' }, value: on ? '50' : '1000' },
        ];
      const n = on ? 50 + (t % 600) / 60 : 1000;
      return [{ value: String(q.includes('outcome') ? (on ? 5 : 10) : n) }];
    });
    const s = await prometheusSignals(SOURCE, query, { fetcher: prom.fetcher, secrets: '{"prom":"Bearer sesame"}' });
    expect(prom.calls.every((c) => c.auth === 'Bearer sesame')).toBe(true);
    expect(prom.calls[0]!.url.pathname).toBe('/api/v1/query_range');
    expect(prom.calls[0]!.url.searchParams.get('step')).toBe('60');
    // The start's minute (T − 4 min, started 40 s in) is not counted; pairs run from T − 3 min.
    expect(s.pairs.map((p) => p.minute)).toEqual([T - 3 * MIN, T - 2 * MIN, T - MIN]);
    expect(s.pairs.every((p) => p.treatment!.errors === 5 && p.baseline!.count === 1000)).toBe(true);
    expect(s.minutes.map((m) => m.minute)).toEqual([T - 2 * MIN, T - MIN]);
    expect(s.minutes[1]!.bins).toEqual({ [binOf(100)]: 40, [binOf(100) + 1]: 10 });
    expect(s.window.samples).toBe(s.minutes[0]!.count + s.minutes[1]!.count);
    expect(s.baseline).toMatchObject({ samples: 2000, errors: 20 });
  });

  it('holds rather than judge: a NaN answer, an error status, a missing secret all throw', async () => {
    const nan = fakeProm(() => [{ value: 'NaN' }]);
    await expect(prometheusSignals(SOURCE, query, { fetcher: nan.fetcher, secrets: '{"prom":"x"}' })).rejects.toThrow(/not a count/);
    const down = (async () => new Response('overloaded', { status: 503 })) as unknown as typeof fetch;
    await expect(prometheusSignals(SOURCE, query, { fetcher: down, secrets: '{"prom":"x"}' })).rejects.toThrow(/503/);
    await expect(prometheusSignals(SOURCE, query, { fetcher: nan.fetcher, secrets: undefined })).rejects.toThrow(/no string "prom"/);
  });

  it('refuses an answer larger than MAX_ANSWER_BYTES without buffering it all (a hostile or misconfigured server)', async () => {
    let pulled = 0;
    const huge = (async () =>
      new Response(
        new ReadableStream<Uint8Array>({
          pull(c) {
            pulled += 1;
            if (pulled > 10_000) c.close();
            else c.enqueue(new Uint8Array(64 * 1024).fill(32));
          },
        }),
      )) as unknown as typeof fetch;
    await expect(prometheusSignals(SOURCE, query, { fetcher: huge, secrets: '{"prom":"x"}' })).rejects.toThrow(/more than 4194304 bytes/);
    // Each of the rollout's parallel queries stops after ~65 chunks of 64 KiB, not at the end of 640 MB.
    expect(pulled).toBeLessThan(1000);
  });

  it('measures the bake over its whole minutes with instant queries', async () => {
    const prom = fakeProm((q) => [{ value: q.includes('outcome') ? '3' : q.includes('lat_bucket') ? '0' : '3000' }]);
    const s = await prometheusSignals(
      { ...SOURCE, queries: { requests: SOURCE.queries.requests, errors: SOURCE.queries.errors } },
      { ...query, bakeFrom: T - 60 * MIN },
      { fetcher: prom.fetcher, secrets: '{"prom":"x"}' },
    );
    const instant = prom.calls.find((c) => c.url.pathname === '/api/v1/query')!;
    expect(instant.url.searchParams.get('query')).toContain('[3600s]');
    expect(s.bake).toMatchObject({ samples: 3000, errors: 3 });
  });
});
