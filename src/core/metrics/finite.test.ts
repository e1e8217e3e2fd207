import { describe, expect, it } from 'vitest';
import { zHealthThresholds, zVerdict } from '../schema/rollout';
import { MAX_BIN, MAX_LATENCY_MS, MAX_REPORT_COUNT, zLatencySketch, zMetricReport } from '../schema/metrics';
import { advanceGuards, initialGuards } from '../health/guard-state';
import { healthVerdict } from '../health/policy';
import { lastCompleteMinutes, MINUTE_MS } from './minutes';
import { binOf, binValue, mergeInto, quantile, sketchCount } from './sketch';
import { minuteStatsOf, statsOf, type MinuteBucket, type WindowStats } from './window-stats';

const T = zHealthThresholds.parse({});
const T0 = 1_700_000_040_000 - (1_700_000_040_000 % MINUTE_MS);

/** Every number in a value, however deep. */
function numbersIn(v: unknown): number[] {
  if (typeof v === 'number') return [v];
  if (v === null || typeof v !== 'object') return [];
  return Object.values(v).flatMap(numbersIn);
}

const allFinite = (stats: WindowStats) => numbersIn(stats).every(Number.isFinite);

describe('the sketch range', () => {
  it('ends at the bin of one hour, whose value is finite', () => {
    expect(MAX_BIN).toBe(binOf(MAX_LATENCY_MS));
    expect(Number.isFinite(binValue(MAX_BIN))).toBe(true);
    expect(binValue(20_000)).toBe(Number.POSITIVE_INFINITY); // why the range matters
  });

  it('is what a report may carry: bins 0..MAX_BIN, integer counts up to MAX_REPORT_COUNT', () => {
    expect(zLatencySketch.safeParse({ bins: { [MAX_BIN]: MAX_REPORT_COUNT, '0': 1 } }).success).toBe(true);
    for (const bins of [{ [MAX_BIN + 1]: 1 }, { '20000': 1 }, { '5': MAX_REPORT_COUNT + 1 }, { '5': 1.5 }, { '5': -1 }, { '05': 1 }, { '1e3': 1 }, { x: 1 }]) {
      expect(zLatencySketch.safeParse({ bins }).success, JSON.stringify(bins)).toBe(false);
    }
    const report = { flag: 'f', variant: 'on', count: 1, errors: 0, latencyMs: [] };
    expect(zMetricReport.safeParse({ ...report, count: MAX_REPORT_COUNT + 1 }).success).toBe(false);
    expect(zMetricReport.safeParse({ ...report, count: 2, errors: 1e300 }).success).toBe(false);
    expect(zMetricReport.safeParse({ ...report, latencyMs: [MAX_LATENCY_MS + 1] }).success).toBe(false);
  });
});

describe('reading sketches never yields a non-finite number', () => {
  it('reads a stored bin above the range as the top of the range', () => {
    expect(quantile({ bins: { '20000': 5 } }, 0.95)).toBe(binValue(MAX_BIN));
    expect(quantile({ bins: { '10': 99, '99999999': 1 } }, 0.99)).toBe(binValue(10));
    expect(quantile({ bins: { '10': 98, '99999999': 2 } }, 0.99)).toBe(binValue(MAX_BIN));
  });

  it('skips counts that are not finite and positive, and keys that are not bin indexes', () => {
    const bins = { '3': Number.POSITIVE_INFINITY, '4': Number.NaN, '5': -2, '6': 2, __x: 7, '07': 1 } as Record<string, number>;
    expect(mergeInto({}, bins)).toEqual({ '6': 2 });
    expect(sketchCount({ bins })).toBe(2);
    expect(quantile({ bins }, 0.5)).toBe(binValue(6));
    expect(quantile({ bins: { '3': Number.POSITIVE_INFINITY } }, 0.5)).toBeNull();
  });

  it('gives finite stats and verdicts for buckets stored before the bounds', () => {
    const bad: MinuteBucket[] = [0, 1, 2, 3, 4].map((k) => ({
      minute: T0 + k * MINUTE_MS,
      count: k === 0 ? Number.POSITIVE_INFINITY : 200,
      errors: k === 1 ? Number.NaN : k === 2 ? 500 : 1,
      bins: { '20000': 150, '100': 50, '7': Number.POSITIVE_INFINITY },
    }));
    const window = statsOf(bad);
    expect(allFinite(window)).toBe(true);
    expect(window.errorRate).toBeLessThanOrEqual(1);
    const buckets = lastCompleteMinutes([...bad, { minute: Number.NaN, count: 1, errors: 0, bins: {} }], T0 + 5 * MINUTE_MS + 1, 5);
    expect(buckets.map(minuteStatsOf).every(allFinite)).toBe(true);
    const guards = advanceGuards(
      initialGuards(5, 0),
      buckets.map((b) => ({ minute: b.minute, treatment: b, baseline: b })),
      true,
    );
    const verdict = healthVerdict({ minutes: buckets, window, probeFailures: 0, bake: window, baseline: window, guards }, T);
    expect(numbersIn(verdict).every(Number.isFinite)).toBe(true);
    // What is stored survives JSON and the schema unchanged: no Infinity became null.
    expect(zVerdict.parse(JSON.parse(JSON.stringify(verdict.window)))).toEqual(verdict.window);
    // The minute with an unreadable count has no samples, so the breach is not yet sustained; the
    // "baseline" here is the treatment's own numbers, half the reports where 5 % are served: a hold.
    expect(verdict.window).toMatchObject({ kind: 'held', cause: 'sample_ratio' });
  });

  it('keeps a sketch at the bounds finite when many reports are merged', () => {
    const bins: Record<string, number> = {};
    for (let i = 0; i < 10_000; i++) mergeInto(bins, { [MAX_BIN]: MAX_REPORT_COUNT });
    expect(Number.isFinite(quantile({ bins }, 0.99))).toBe(true);
    expect(sketchCount({ bins })).toBe(10_000 * MAX_REPORT_COUNT);
  });
});
