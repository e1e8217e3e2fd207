import { afterEach, describe, expect, it, vi } from 'vitest';
import { MAX_BIN } from '../../../src/core/metrics/report-bounds';
import { sketchFromSamples } from '../../../src/core/metrics/sketch';
import { accepted, clock, fakeFetch } from '../test/fake-fetch';
import { Reporter, type ReporterError } from './reporter';

const T0 = Date.UTC(2026, 10, 28, 12, 0, 5);

function reporter(answers: Parameters<typeof fakeFetch>[0], extra: Partial<ConstructorParameters<typeof Reporter>[0]> = {}) {
  const f = fakeFetch(answers);
  const c = clock(T0);
  const errors: ReporterError[] = [];
  const r = new Reporter({
    url: 'http://rg.test/',
    key: 'rk',
    fetch: f.fetch,
    now: c.now,
    random: () => 0.5,
    timers: false,
    onError: (e) => errors.push(e),
    ...extra,
  });
  return { r, ...f, c, errors };
}

describe('Reporter aggregation', () => {
  it('sends one report per (flag, variant, minute) with counts, errors and the server sketch of the latencies', async () => {
    const { r, received, c } = reporter([accepted()]);
    r.record('new-checkout', 'on', { latencyMs: 12 });
    r.record('new-checkout', 'on', { latencyMs: 40, error: true });
    r.record('new-checkout', 'off', { latencyMs: 0.3 });
    c.advance(20_000);
    r.record('new-checkout', 'on', { latencyMs: 900 });
    c.advance(60_000); // next minute
    r.record('new-checkout', 'on', { latencyMs: 7 });
    await r.flush();
    expect(received).toHaveLength(1);
    expect(received[0]!.url).toBe('http://rg.test/v1/metrics');
    expect(received[0]!.authorization).toBe('Bearer rk');
    expect(received[0]!.reports).toEqual([
      { flag: 'new-checkout', variant: 'on', timestamp: T0 + 20_000, count: 3, errors: 1, latencyMs: sketchFromSamples([12, 40, 900]) },
      { flag: 'new-checkout', variant: 'off', timestamp: T0, count: 1, errors: 0, latencyMs: sketchFromSamples([0.3]) },
      { flag: 'new-checkout', variant: 'on', timestamp: T0 + 80_000, count: 1, errors: 0, latencyMs: sketchFromSamples([7]) },
    ]);
    expect(r.stats()).toMatchObject({ recorded: 5, sentReports: 3, sentRequests: 5, batches: 1, pendingReports: 0 });
  });

  it('clamps latencies outside the sketch range and counts requests without a usable latency', async () => {
    const { r, received } = reporter([accepted()]);
    for (const latencyMs of [-5, Number.NaN, Number.POSITIVE_INFINITY, 1e12, undefined]) r.record('f', 'v', { latencyMs });
    await r.flush();
    expect(received[0]!.reports[0]).toMatchObject({ count: 5, latencyMs: { bins: { '0': 1, [String(MAX_BIN)]: 2 } } });
  });

  it('ignores names the server would refuse and never throws on hostile input', async () => {
    const { r, received } = reporter([accepted()]);
    r.record('', 'v');
    r.record('f', 'x'.repeat(257));
    r.record(42 as unknown as string, 'v');
    r.record('f', 'v', null as unknown as undefined);
    r.record('__proto__', 'constructor');
    await r.flush();
    expect(received[0]!.reports.map((x) => [x.flag, x.variant])).toEqual([
      ['f', 'v'],
      ['__proto__', 'constructor'],
    ]);
    expect(r.stats()).toMatchObject({ recorded: 2, ignored: 3 }); // a null outcome counts as a plain request
  });

  it('sends nothing when nothing was recorded', async () => {
    const { r, received } = reporter([accepted()]);
    await r.flush();
    expect(received).toHaveLength(0);
  });
});

describe('Reporter batching and memory', () => {
  it('cuts batches at maxBatchReports, at most the server limit of 1000', async () => {
    const { r, received } = reporter([accepted()], { maxBatchReports: 5000, maxBufferedReports: 5000 });
    for (let i = 0; i < 2500; i++) r.record(`flag-${i}`, 'on');
    await r.flush();
    expect(received.map((b) => b.reports.length)).toEqual([1000, 1000, 500]);
  });

  it('holds at most maxBufferedReports aggregates: the oldest are dropped and counted', async () => {
    const { r, received } = reporter([accepted()], { maxBufferedReports: 3 });
    r.record('a', 'on');
    r.record('a', 'on');
    for (const f of ['b', 'c', 'd', 'e']) r.record(f, 'on');
    expect(r.stats()).toMatchObject({ pendingReports: 3, droppedReports: 2, droppedRequests: 3 });
    await r.flush();
    expect(received[0]!.reports.map((x) => x.flag)).toEqual(['c', 'd', 'e']);
  });
});

describe('Reporter retries', () => {
  it('keeps a batch after a 503 and sends it merged with later requests after the backoff', async () => {
    const { r, received, c, errors } = reporter([new Response('', { status: 503 }), accepted()], { retry: { baseMs: 1000, maxMs: 60_000 } });
    r.record('f', 'on', { error: true });
    await r.flush();
    expect(errors).toEqual([{ kind: 'retry', status: 503, message: 'HTTP 503', reports: 1 }]);
    // random 0.5 → 75 % of the 1 s ceiling
    expect(r.stats().retryAt).toBe(T0 + 750);
    r.record('f', 'on');
    await r.flush(); // still inside the delay: nothing sent
    expect(received).toHaveLength(1);
    c.advance(750);
    await r.flush();
    expect(received).toHaveLength(2);
    expect(received[1]!.reports).toMatchObject([{ flag: 'f', variant: 'on', count: 2, errors: 1 }]);
    expect(r.stats()).toMatchObject({ sentRequests: 2, failedAttempts: 1, retryAt: null, pendingReports: 0 });
  });

  it('doubles the delay per failed attempt up to the ceiling, with jitter', async () => {
    const { r, c } = reporter([new Error('ECONNREFUSED')], { retry: { baseMs: 1000, maxMs: 4000 }, random: () => 1 });
    r.record('f', 'on');
    const delays: number[] = [];
    for (let i = 0; i < 5; i++) {
      await r.flush();
      const at = r.stats().retryAt!;
      delays.push(at - c.now());
      c.set(at);
    }
    expect(delays).toEqual([1000, 2000, 4000, 4000, 4000]);
    expect(r.stats()).toMatchObject({ pendingReports: 1, pendingRequests: 1, failedAttempts: 5 });
    expect(r.stats().lastError).toContain('ECONNREFUSED');
  });

  it("honours a 429's Retry-After when it is longer than the backoff", async () => {
    const { r } = reporter([new Response('', { status: 429, headers: { 'retry-after': '10' } })]);
    r.record('f', 'on');
    await r.flush();
    expect(r.stats().retryAt).toBe(T0 + 10_000);
  });

  it('gives up on a 4xx other than 429 and counts what it dropped', async () => {
    const { r, received, errors } = reporter([new Response('', { status: 403 }), accepted()]);
    r.record('f', 'on');
    r.record('g', 'on');
    await r.flush();
    await r.flush();
    expect(received).toHaveLength(1);
    expect(errors).toMatchObject([{ kind: 'rejected', status: 403, reports: 2 }]);
    expect(r.stats()).toMatchObject({ rejectedReports: 2, rejectedRequests: 2, pendingReports: 0, retryAt: null });
  });

  it('after a 422 naming some reports, drops only those and sends the others', async () => {
    const bad = new Response(JSON.stringify({ error: '1 bad reports', errors: [{ index: 1, path: '/reports/1/flag', message: 'unknown flag "typo"' }] }), {
      status: 422,
    });
    const { r, received } = reporter([bad, accepted()]);
    r.record('good', 'on');
    r.record('typo', 'on');
    r.record('good', 'off');
    await r.flush();
    expect(received.map((b) => b.reports.map((x) => x.flag))).toEqual([
      ['good', 'typo', 'good'],
      ['good', 'good'],
    ]);
    expect(r.stats()).toMatchObject({ rejectedReports: 1, sentReports: 2, pendingReports: 0 });
  });

  it('drops reports that became too old to be accepted while the server was down', async () => {
    const { r, c, received } = reporter([new Response('', { status: 500 }), accepted()], { retry: { baseMs: 1000, maxMs: 1000 } });
    r.record('f', 'on');
    await r.flush();
    c.advance(15 * 60_000);
    r.record('f', 'on');
    await r.flush();
    expect(received[1]!.reports).toMatchObject([{ count: 1, timestamp: T0 + 15 * 60_000 }]);
    expect(r.stats()).toMatchObject({ expiredReports: 1, expiredRequests: 1 });
  });

  it('a throwing fetch or onError never reaches the caller', async () => {
    const r = new Reporter({
      url: 'http://rg.test',
      key: 'k',
      timers: false,
      fetch: () => {
        throw new Error('sync boom');
      },
      onError: () => {
        throw new Error('callback boom');
      },
    });
    r.record('f', 'on');
    await expect(r.flush()).resolves.toBeUndefined();
    expect(r.stats().pendingReports).toBe(1);
  });
});

describe('Reporter.close and flushIfDue', () => {
  it('close() sends what is left, retrying within closeTimeoutMs, and ignores later records', async () => {
    const { r, received } = reporter([new Response('', { status: 503 }), accepted()], { now: Date.now, retry: { baseMs: 10, maxMs: 10 } });
    r.record('f', 'on');
    await r.close();
    expect(received).toHaveLength(2);
    expect(r.stats()).toMatchObject({ sentRequests: 1, pendingReports: 0 });
    r.record('f', 'on');
    expect(r.stats()).toMatchObject({ ignored: 1, pendingReports: 0 });
  });

  it('close() gives up at closeTimeoutMs when the server keeps failing', async () => {
    const { r, received } = reporter([new Response('', { status: 503 })], { now: Date.now, retry: { baseMs: 20, maxMs: 20 }, closeTimeoutMs: 100 });
    r.record('f', 'on');
    await r.close();
    expect(received.length).toBeGreaterThan(1);
    expect(r.stats().pendingReports).toBe(1);
  });

  it('flushIfDue flushes only once the interval has passed and something is buffered', async () => {
    const { r, received, c } = reporter([accepted()], { flushIntervalMs: 10_000 });
    expect(r.flushIfDue()).toBeNull();
    r.record('f', 'on');
    expect(r.flushIfDue()).toBeNull();
    c.advance(10_000);
    await r.flushIfDue();
    expect(received).toHaveLength(1);
  });
});

describe('Reporter timers (Node)', () => {
  afterEach(() => vi.useRealTimers());

  it('flushes every flushIntervalMs on an unref’d timer, and at once when a full batch is buffered', async () => {
    vi.useFakeTimers();
    const f = fakeFetch([accepted()]);
    const unrefs: unknown[] = [];
    const realSetInterval = globalThis.setInterval;
    vi.spyOn(globalThis, 'setInterval').mockImplementation(((fn: () => void, ms: number) => {
      const t = realSetInterval(fn, ms);
      const unref = t.unref.bind(t);
      t.unref = () => {
        unrefs.push(t);
        return unref();
      };
      return t;
    }) as typeof setInterval);
    const r = new Reporter({ url: 'http://rg.test', key: 'k', fetch: f.fetch, flushIntervalMs: 1000, maxBatchReports: 3 });
    expect(unrefs).toHaveLength(1);
    r.record('f', 'on');
    await vi.advanceTimersByTimeAsync(999);
    expect(f.received).toHaveLength(0);
    await vi.advanceTimersByTimeAsync(1);
    expect(f.received).toHaveLength(1);
    // Three aggregates make a full batch: a flush starts without waiting for the interval, and it
    // sends everything buffered when it runs (cut into batches of 3); records meanwhile queue no more flushes.
    for (const flag of ['a', 'b', 'c', 'd', 'e']) r.record(flag, 'on');
    await vi.advanceTimersByTimeAsync(0);
    expect(f.received.map((b) => b.reports.length)).toEqual([1, 3, 2]);
    r.record('f', 'on');
    await r.close();
    expect(f.received.map((b) => b.reports.length)).toEqual([1, 3, 2, 1]);
    vi.restoreAllMocks();
  });
});
