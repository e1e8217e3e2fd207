/**
 * What the Reporter posts is what the server accepts: every batch goes through the server's own
 * validation (checkBatch: schema, bounds, bins ≤ 378, errors ≤ count, batch size, timestamp window)
 * and the counts and sketches it stores are the ones recorded.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { sketchCount } from '../../../src/core/metrics/sketch';
import { MAX_REPORTS_PER_BATCH } from '../../../src/core/metrics/report-bounds';
import { checkBatch } from '../../../src/http/metrics/check-batch';
import { accepted, clock, fakeFetch } from '../test/fake-fetch';
import { Reporter } from './reporter';

const T0 = Date.UTC(2026, 10, 28, 12, 0, 0);
const FLAGS = new Map([
  ['new-checkout', new Set(['on', 'off'])],
  ['banner', new Set(['a', 'b', 'c'])],
]);
const variantsOf = (flag: string) => FLAGS.get(flag);

const latency = fc.oneof(
  fc.double({ min: 0, max: 5000, noNaN: true }),
  fc.constantFrom(0, 1, 1.0000001, 3_599_999.9, 3_600_000, 3_600_001, 1e15, Number.POSITIVE_INFINITY, -1, Number.NaN),
  fc.constant(undefined),
);
const request = fc.record({
  pair: fc.constantFrom(['new-checkout', 'on'], ['new-checkout', 'off'], ['banner', 'a'], ['banner', 'b'], ['banner', 'c']),
  error: fc.boolean(),
  latencyMs: latency,
  /** ms since the previous request */
  gap: fc.integer({ min: 0, max: 40_000 }),
});

describe('Reporter batches against the server schema', () => {
  it('every batch is accepted by checkBatch and stores exactly what was recorded', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(request, { maxLength: 300 }), fc.integer({ min: 1, max: 1000 }), async (requests, maxBatchReports) => {
        const f = fakeFetch([accepted()]);
        const c = clock(T0);
        const r = new Reporter({ url: 'http://rg.test', key: 'k', fetch: f.fetch, now: c.now, timers: false, maxBatchReports });
        let errors = 0;
        for (const q of requests) {
          c.advance(q.gap);
          r.record(q.pair[0], q.pair[1], { error: q.error, latencyMs: q.latencyMs });
          if (q.error) errors++;
        }
        await r.flush();
        let count = 0;
        let storedErrors = 0;
        let latencies = 0;
        for (const batch of f.received) {
          expect(batch.reports.length).toBeLessThanOrEqual(Math.min(maxBatchReports, MAX_REPORTS_PER_BATCH));
          const byFlag = checkBatch(JSON.parse(JSON.stringify({ reports: batch.reports })), variantsOf, c.now());
          for (const deltas of byFlag.values())
            for (const d of deltas) {
              count += d.count;
              storedErrors += d.errors;
              latencies += sketchCount({ bins: d.bins });
            }
        }
        expect(count).toBe(requests.length);
        expect(storedErrors).toBe(errors);
        expect(latencies).toBe(requests.filter((q) => typeof q.latencyMs === 'number' && !Number.isNaN(q.latencyMs)).length);
      }),
      { numRuns: 200 },
    );
  });

  it('batches of reports with full sketches are cut at maxBatchBytes and accepted', async () => {
    const f = fakeFetch([accepted()]);
    const c = clock(T0);
    const r = new Reporter({ url: 'http://rg.test', key: 'k', fetch: f.fetch, now: c.now, timers: false, maxBufferedReports: 1000, maxBatchBytes: 500_000 });
    // 1000 reports with every one of the 379 bins: ~3 MB of JSON.
    for (let i = 0; i < 1000; i++) for (let b = 0; b <= 378; b++) r.record(`f-${i}`, 'on', { latencyMs: 1.0408 ** b });
    await r.flush();
    expect(f.received.length).toBeGreaterThan(1);
    let reports = 0;
    for (const batch of f.received) {
      const body = JSON.stringify({ reports: batch.reports });
      expect(body.length).toBeLessThan(500_000 + 100);
      const byFlag = checkBatch(JSON.parse(body), (flag) => (flag.startsWith('f-') ? new Set(['on']) : undefined), c.now());
      for (const deltas of byFlag.values()) for (const d of deltas) expect(Object.keys(d.bins)).toHaveLength(379);
      reports += batch.reports.length;
    }
    expect(reports).toBe(1000);
  });
});
