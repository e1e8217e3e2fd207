import { reset, runInDurableObject } from 'cloudflare:test';
import { env } from 'cloudflare:workers';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { RELATIVE_ACCURACY, sketchFromSamples } from '../src/core/metrics/sketch';
import { MAX_RAW_SAMPLES, MAX_REPORTS_PER_BATCH } from '../src/core/schema/metrics';
import { keyOf, reportKeyOf } from './helpers/fixture';
import { ENV, FLAG, MIN, type Report, Sim } from './helpers/health-sim';

let sim: Sim;
/** The clock of every request below: minute-aligned plus 30 s, so "now" lies inside a minute. */
let now: number;

beforeEach(async () => {
  sim = new Sim();
  await sim.setup();
  now = sim.at(sim.T0 + 30_000);
});
afterEach(async () => {
  sim.clock.restore();
  await reset();
});

const shard = (flag = FLAG) => env.METRICS.getByName(`${ENV}/${flag}`);

/** What a variant's shard holds over the hour around `now`. */
function stored(variant: string, flag = FLAG) {
  return shard(flag).window(variant, now - 30 * MIN, now + 30 * MIN);
}

const NOTHING = { samples: 0, errors: 0, errorRate: null, p95Ms: null, p99Ms: null };

const report = (r: Partial<Report> = {}): Report => ({ flag: FLAG, variant: 'on', timestamp: now - MIN, count: 10, errors: 1, latencyMs: [12, 34], ...r });

async function body(res: Response): Promise<any> {
  return res.json();
}

describe('POST /v1/metrics: accepted batches', () => {
  it('answers 202 with the accepted count and stores each report in its flag shard', async () => {
    const res = await sim.post([
      report({ variant: 'on', count: 200, errors: 3, latencyMs: [10, 20, 30] }),
      report({ variant: 'off', count: 180, errors: 0, latencyMs: [15] }),
      report({ flag: 'static-bool', variant: 'on', count: 5, errors: 0, latencyMs: [] }),
    ]);
    expect(res.status).toBe(202);
    expect(await body(res)).toEqual({ accepted: 3 });
    expect(await stored('on')).toMatchObject({ samples: 200, errors: 3, errorRate: 0.015 });
    expect(await stored('off')).toMatchObject({ samples: 180, errors: 0, errorRate: 0 });
    expect(await stored('on', 'static-bool')).toEqual({ ...NOTHING, samples: 5, errors: 0, errorRate: 0 });
  });

  it('puts a report without a timestamp in the minute of the server clock, and takes ISO timestamps', async () => {
    const { timestamp: _t, ...noTimestamp } = report({ count: 7, errors: 0 });
    const iso = report({ count: 11, errors: 0, timestamp: new Date(now - 3 * MIN).toISOString() });
    expect((await sim.post([noTimestamp as Report, iso])).status).toBe(202);
    const minute = sim.T0;
    expect(await shard().window('on', minute, minute + MIN)).toMatchObject({ samples: 7 });
    expect(await shard().window('on', minute - 3 * MIN, minute - 2 * MIN)).toMatchObject({ samples: 11 });
  });

  it('accepts timestamps exactly 15 minutes old and exactly 2 minutes ahead', async () => {
    const res = await sim.post([report({ timestamp: now - 15 * MIN, count: 1, errors: 0 }), report({ timestamp: now + 2 * MIN, count: 2, errors: 0 })]);
    expect(res.status, await res.clone().text()).toBe(202);
    expect(await stored('on')).toMatchObject({ samples: 3 });
  });

  it('merges a sketch exactly with raw samples in one minute, and reads quantiles within the stated error', async () => {
    // Deterministic spread of latencies from 1 to ~2000 ms.
    const raw = Array.from({ length: 3000 }, (_, i) => 1 + ((i * 7919) % 2000) * 0.97);
    const [a, b] = [raw.slice(0, 1700), raw.slice(1700)];
    const res = await sim.post([
      report({ count: a.length, errors: 0, latencyMs: a }),
      report({ count: b.length, errors: 0, latencyMs: sketchFromSamples(b), timestamp: now - MIN + 10_000 }),
    ]);
    expect(res.status, await res.clone().text()).toBe(202);

    const rows = await runInDurableObject(shard(), (_instance, state) =>
      state.storage.sql
        .exec<{ variant: string; start: number; count: number; bins: string }>('SELECT variant, start, count, bins FROM minute_buckets')
        .toArray(),
    );
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ variant: 'on', start: sim.T0 - MIN, count: raw.length });
    // Exact merge: the stored bins are those of all samples binned at once.
    expect(JSON.parse(rows[0]!.bins)).toEqual(sketchFromSamples(raw).bins);

    const stats = await stored('on');
    const sorted = [...raw].sort((x, y) => x - y);
    for (const [q, read] of [
      [0.95, stats.p95Ms],
      [0.99, stats.p99Ms],
    ] as const) {
      const exact = sorted[Math.ceil(q * sorted.length) - 1]!;
      expect(Math.abs(read! - exact) / exact, `P${q * 100}: ${read} vs ${exact}`).toBeLessThanOrEqual(RELATIVE_ACCURACY);
    }
  });
});

describe('POST /v1/metrics: refusals', () => {
  it('answers 401 without a key and with an unknown key, storing nothing', async () => {
    expect((await sim.post([report()], null)).status).toBe(401);
    expect((await sim.post([report()], 'not-a-key')).status).toBe(401);
    expect(await stored('on')).toEqual(NOTHING);
  });

  it('answers 422 listing every bad report by index and path, and stores nothing from the batch', async () => {
    const res = await sim.post([
      report({ count: 100, errors: 0 }), // 0: fine
      report({ count: 5, errors: 6 }), // 1: errors > count
      report({ flag: 'no-such-flag' }), // 2: unknown flag
      report({ count: -1, errors: 0 }), // 3: negative count
      report({ count: 2.5, errors: 0 }), // 4: float count
      report({ timestamp: now - 15 * MIN - 1 }), // 5: too old
      report({ timestamp: now + 2 * MIN + 1 }), // 6: too far ahead
      report({ flag: 'static-bool', count: 9, errors: 0 }), // 7: fine, another flag
      'not a report' as unknown as Report, // 8: not an object
      { ...report(), extra: 1 } as Report, // 9: unknown key
      report({ latencyMs: { bins: { '-1': 3 } } }), // 10: bad sketch key
    ]);
    expect(res.status).toBe(422);
    const json = await body(res);
    expect(json.error).toBe(`${json.errors.length} bad reports; nothing was stored`);
    const byIndex = new Map<number, string[]>();
    for (const e of json.errors as Array<{ index: number; path: string; message: string }>) {
      expect(e.message).toEqual(expect.any(String));
      byIndex.set(e.index, [...(byIndex.get(e.index) ?? []), e.path]);
    }
    expect(Object.fromEntries(byIndex)).toEqual({
      1: ['/reports/1/errors'],
      2: ['/reports/2/flag'],
      3: ['/reports/3/count', '/reports/3/errors'], // errors 0 also exceeds count -1
      4: ['/reports/4/count'],
      5: ['/reports/5/timestamp'],
      6: ['/reports/6/timestamp'],
      8: ['/reports/8'],
      9: ['/reports/9/extra'],
      10: [expect.stringMatching(/^\/reports\/10\/latencyMs/)],
    });
    expect(json.errors.find((e: any) => e.index === 1).message).toBe('errors cannot exceed count');
    expect(json.errors.find((e: any) => e.index === 2).message).toBe('unknown flag "no-such-flag"');
    expect(json.errors.find((e: any) => e.index === 5).message).toBe('older than 15 minutes');
    expect(json.errors.find((e: any) => e.index === 6).message).toBe('more than 2 minutes ahead of the server clock');
    // Nothing from the batch, not even the good reports of either flag.
    expect(await stored('on')).toEqual(NOTHING);
    expect(await stored('on', 'static-bool')).toEqual(NOTHING);
  });

  it('refuses one report outside the skew window on its own', async () => {
    for (const timestamp of [now - 15 * MIN - 1, now + 2 * MIN + 1, new Date(now - 16 * MIN).toISOString()]) {
      const res = await sim.post([report({ timestamp })]);
      expect(res.status).toBe(422);
      expect((await body(res)).errors).toEqual([{ index: 0, path: '/reports/0/timestamp', message: expect.any(String) }]);
    }
    expect(await stored('on')).toEqual(NOTHING);
  });

  it(`answers 413 past ${MAX_REPORTS_PER_BATCH} reports a batch, and takes exactly ${MAX_REPORTS_PER_BATCH}`, async () => {
    const many = (n: number) => Array.from({ length: n }, () => report({ count: 1, errors: 0, latencyMs: [5] }));
    const over = await sim.post(many(MAX_REPORTS_PER_BATCH + 1));
    expect(over.status).toBe(413);
    expect((await body(over)).error).toContain(String(MAX_REPORTS_PER_BATCH));
    expect(await stored('on')).toEqual(NOTHING);
    const full = await sim.post(many(MAX_REPORTS_PER_BATCH));
    expect(full.status).toBe(202);
    expect(await body(full)).toEqual({ accepted: MAX_REPORTS_PER_BATCH });
    expect(await stored('on')).toMatchObject({ samples: MAX_REPORTS_PER_BATCH });
  });

  it(`answers 413 to a report with more than ${MAX_RAW_SAMPLES} raw samples, and takes exactly ${MAX_RAW_SAMPLES}`, async () => {
    const samples = (n: number) => Array.from({ length: n }, (_, i) => 1 + (i % 300));
    const over = await sim.post([report({ count: 1, errors: 0 }), report({ count: 20_000, errors: 0, latencyMs: samples(MAX_RAW_SAMPLES + 1) })]);
    expect(over.status).toBe(413);
    expect((await body(over)).error).toMatch(/^report 1 has 10001 raw latency samples/);
    expect(await stored('on')).toEqual(NOTHING);
    const full = await sim.post([report({ count: 20_000, errors: 0, latencyMs: samples(MAX_RAW_SAMPLES) })]);
    expect(full.status).toBe(202);
    expect(await stored('on')).toMatchObject({ samples: 20_000 });
  });

  it('answers 400 to malformed JSON and 422 to a body that is not a batch', async () => {
    const send = (text: string) =>
      sim.h.fetch('/v1/metrics', {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${reportKeyOf('staging')}` },
        body: text,
      });
    expect((await send('{"reports": [')).status).toBe(400);
    expect((await send('')).status).toBe(400);
    for (const text of ['[]', '{"reports": {}}', '{"reports": [], "more": 1}', '"x"']) {
      const res = await send(text);
      expect(res.status, text).toBe(422);
    }
    expect(await stored('on')).toEqual(NOTHING);
  });

  it("answers body errors in the metrics shape with a code, never OFREP's INVALID_CONTEXT", async () => {
    const send = (text: string, type = 'application/json') =>
      sim.h.fetch('/v1/metrics', { method: 'POST', headers: { 'content-type': type, authorization: `Bearer ${reportKeyOf('staging')}` }, body: text });
    const cases: Array<[Response, number, string]> = [
      [await send('{"reports": ['), 400, 'invalid_body'],
      [await send(''), 400, 'invalid_body'],
      [await send('{}', 'text/plain'), 415, 'unsupported_media_type'],
      [await send('"x"'), 422, 'validation_failed'],
      [await send(JSON.stringify({ reports: [{ flag: 'nope' }] })), 422, 'validation_failed'],
      [await sim.h.fetch('/v1/metrics', { method: 'GET' }), 404, 'not_found'],
    ];
    for (const [res, status, code] of cases) {
      const text = await res.text();
      expect(res.status, text).toBe(status);
      expect(JSON.parse(text), text).toMatchObject({ code, error: expect.any(String) });
      expect(text).not.toContain('INVALID_CONTEXT');
      expect(text).not.toContain('errorDetails');
    }
    const wrongScope = await sim.h.fetch('/v1/metrics', {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${keyOf('staging')}` },
      body: '{}',
    });
    expect(wrongScope.status).toBe(403);
    expect(await wrongScope.json()).toMatchObject({ code: 'forbidden' });
  });
});
