import { describe, expect, it } from 'vitest';
import { MINUTE_MS } from '../metrics/minutes';
import { binOf } from '../metrics/sketch';
import type { MinuteBucket } from '../metrics/window-stats';
import { zGuardState } from '../schema/guards';
import { advanceGuards, initialGuards, LATE_MINUTES, type MinutePair, restartWeight, SHARE_SETTLE_MS, START_WEIGHT, trackShare } from './guard-state';
import { relativeEvidence } from './sequential/relative-guard';

const T0 = 1_800_000_000_000 - (1_800_000_000_000 % MINUTE_MS);
const at = (k: number) => T0 + k * MINUTE_MS;

function bucket(k: number, count: number, errors: number, latency: Array<[number, number]> = []): MinuteBucket {
  const bins: Record<string, number> = {};
  for (const [ms, n] of latency) bins[String(binOf(ms))] = (bins[String(binOf(ms))] ?? 0) + n;
  return { minute: at(k), count, errors, bins };
}
const pair = (k: number, t: MinuteBucket | null, b: MinuteBucket | null): MinutePair => ({ minute: at(k), treatment: t, baseline: b });

describe('advanceGuards', () => {
  it('feeds each minute once: the same minutes again change nothing', () => {
    const pairs = [0, 1, 2].map((k) => pair(k, bucket(k, 100, 3), bucket(k, 1900, 10)));
    const once = advanceGuards(initialGuards(5, at(-5)), pairs, true);
    expect(once.through).toBe(at(2));
    expect(once.errors.totals).toEqual({ treatmentRequests: 300, treatmentEvents: 9, baselineRequests: 5700, baselineEvents: 30 });
    expect(advanceGuards(once, pairs, true)).toEqual(once);
    expect(zGuardState.parse(once)).toEqual(once); // storable as it is
  });

  it('feeds reports that arrive late for a recent minute as one more period, and only what is new', () => {
    const first = advanceGuards(initialGuards(5, at(-5)), [pair(0, bucket(0, 100, 1), bucket(0, 1900, 10))], true);
    const later = advanceGuards(first, [pair(0, bucket(0, 150, 4), bucket(0, 1900, 10)), pair(1, bucket(1, 100, 0), bucket(1, 1900, 0))], true);
    expect(later.errors.totals).toEqual({ treatmentRequests: 250, treatmentEvents: 4, baselineRequests: 3800, baselineEvents: 10 });
    expect(later.errors.periods).toBe(3);
    // Once a minute is LATE_MINUTES behind, what arrives for it is left to the display and the limits.
    let s = later;
    for (let k = 2; k < 2 + LATE_MINUTES; k++) s = advanceGuards(s, [pair(k, null, null)], true);
    const ignored = advanceGuards(s, [pair(0, bucket(0, 500, 100), bucket(0, 1900, 10))], true);
    expect(ignored.errors.totals).toEqual(s.errors.totals);
  });

  it('judges latency against thresholds fixed before the minute: the baseline P95 of the minutes before it', () => {
    const base = (k: number) =>
      bucket(k, 1000, 0, [
        [100, 950],
        [200, 50],
      ]); // P95 ≈ 100 ms, P99 ≈ 200 ms
    const slow = (k: number) =>
      bucket(k, 100, 0, [
        [100, 60],
        [400, 40],
      ]);
    const s1 = advanceGuards(initialGuards(5, at(-5)), [pair(0, slow(0), base(0))], true);
    expect(s1.p95.periods).toBe(0); // no threshold yet for the first minute
    expect(s1.reference.p95Bin).toBe(binOf(100));
    const s2 = advanceGuards(s1, [pair(1, slow(1), base(1))], true);
    expect(s2.p95.totals).toEqual({ treatmentRequests: 100, treatmentEvents: 40, baselineRequests: 1000, baselineEvents: 50 });
  });

  it('skips the sample-ratio test right after a change of percent, and without a baseline', () => {
    const g = trackShare(initialGuards(5, at(-10)), 25, at(0));
    expect(g.share).toEqual({ percent: 25, since: at(0) });
    const settle = SHARE_SETTLE_MS / MINUTE_MS;
    const s = advanceGuards(
      g,
      [0, 1, 2, 3].map((k) => pair(k, bucket(k, 250, 0), bucket(k, 750, 0))),
      true,
    );
    expect(s.sampleRatio.periods).toBe(4 - settle);
    expect(s.sampleRatio.expectedTreatment).toBe(0.25 * 1000 * (4 - settle));
    expect(advanceGuards(g, [pair(5, bucket(5, 250, 0), null)], false).sampleRatio.periods).toBe(0);
  });

  it('never turns damaged counts into NaN: a bucket with more errors than requests counts them as requests', () => {
    const s = advanceGuards(initialGuards(5, at(-5)), [pair(0, bucket(0, 10, 50), bucket(0, NaN, -1))], true);
    expect(s.errors.logLR.every(Number.isFinite)).toBe(true);
    expect(s.errors.totals.treatmentEvents).toBe(10);
  });

  it('restarts the relative guards at a promotion only, with weights that add up to at most 1 over a plan', () => {
    const g = initialGuards(5, at(0));
    expect(relativeEvidence(g.errors)).toBeCloseTo(START_WEIGHT, 12);
    const w = restartWeight(6);
    const promoted = trackShare(g, 10, at(1), w);
    expect(relativeEvidence(promoted.errors)).toBeCloseTo(START_WEIGHT + w, 12);
    expect(relativeEvidence(promoted.p99)).toBeCloseTo(START_WEIGHT + w, 12);
    expect(trackShare(promoted, 10, at(2), w)).toBe(promoted); // unchanged percent
    expect(relativeEvidence(trackShare(promoted, 0, at(2), w).errors)).toBeCloseTo(START_WEIGHT + w, 12); // a rollback is no start
    expect(relativeEvidence(trackShare(g, 10, at(1)).errors)).toBeCloseTo(START_WEIGHT, 12); // no weight, no restart
    expect(START_WEIGHT + 5 * w).toBeCloseTo(1, 12); // 6 stages: at most 5 promotions
  });
});
