/**
 * MetricsShard, called directly: ingest merges reports into one bucket per variant and minute
 * (counts, errors and sketch bins add), survives damaged rows, keeps shards apart and loses
 * nothing of 200 batches; queries answer windows, complete minutes and signals (the bake only
 * when asked).
 */
import { runInDurableObject } from 'cloudflare:test';
import { beforeEach, describe, expect, it } from 'vitest';
import { HOUR_MS, MINUTE_MS } from '../src/core/metrics/minutes';
import { sketchFromSamples } from '../src/core/metrics/sketch';
import { minuteStatsOf } from '../src/core/metrics/window-stats';
import type { BucketDelta } from '../src/metrics/bucket-table';
import { expectQuantilesOf } from './helpers/exact-quantile';
import { delta, rows, shard, shardEachTest } from './helpers/metrics-shard-kit';

/** A minute-aligned "now" (the DO's Date.now() too), plus 30 s. */
let now: number;
let minute: number;
shardEachTest((world) => ({ now, minute } = world));

describe('MetricsShard: merging', () => {
  it('merges several reports into one bucket per variant and minute: counts and errors add, sketch bins add', async () => {
    const a = [12, 80, 80, 300];
    const b = [80, 95, 1200];
    const c = [12, 13];
    expect(
      await shard().ingest(
        [
          delta(minute - MINUTE_MS + 1_000, { count: 40, errors: 1, bins: sketchFromSamples(a).bins }),
          delta(minute - MINUTE_MS + 59_999, { count: 60, errors: 2, bins: sketchFromSamples(b).bins }),
        ],
        now,
      ),
    ).toEqual({ accepted: 2 });
    expect(
      await shard().ingest(
        [delta(minute - 30_000, { count: 5, errors: 0, bins: sketchFromSamples(c).bins }), delta(minute - 30_000, { variant: 'off', count: 7 })],
        now,
      ),
    ).toEqual({ accepted: 2 });

    const minutes = await rows('minute_buckets');
    expect(minutes).toEqual([
      { variant: 'off', start: minute - MINUTE_MS, count: 7, errors: 0, bins: sketchFromSamples([50]).bins },
      { variant: 'on', start: minute - MINUTE_MS, count: 105, errors: 3, bins: sketchFromSamples([...a, ...b, ...c]).bins },
    ]);
    // The hourly roll-up holds the same sums.
    expect((await rows('hour_buckets')).map((r) => ({ ...r }))).toEqual(minutes.map((r) => ({ ...r, start: minute - 10 * MINUTE_MS })));

    const w = await shard().window('on', minute - MINUTE_MS, minute);
    expect(w).toMatchObject({ samples: 105, errors: 3, errorRate: 3 / 105 });
    expectQuantilesOf(w, [...a, ...b, ...c]);
  });

  it('a damaged stored row (bins not JSON, a count that is not a number) neither stops ingest nor reads', async () => {
    await shard().ingest([delta(minute - 30_000), delta(minute - 30_000, { variant: 'off' })], now);
    await runInDurableObject(shard(), (_i, state) => {
      for (const table of ['minute_buckets', 'hour_buckets', 'second_buckets']) {
        state.storage.sql.exec(`UPDATE ${table} SET bins = '{', count = 'x' WHERE variant = 'on'`);
      }
    });
    // The next batch for both variants is stored whole: the damaged row reads as empty and is rewritten.
    expect(await shard().ingest([delta(minute - 20_000, { count: 10 }), delta(minute - 20_000, { variant: 'off', count: 10 })], now)).toEqual({
      accepted: 2,
    });
    expect((await rows('minute_buckets')).map((r) => [r.variant, r.count])).toEqual([
      ['off', 110],
      ['on', 10],
    ]);
    expect(await shard().window('on', minute - MINUTE_MS, minute)).toMatchObject({ samples: 10, errors: 0 });
  });

  it('keeps shards apart: one per (environment, flag)', async () => {
    await shard('staging/new-checkout').ingest([delta(minute - 30_000)], now);
    expect(await shard('production/new-checkout').window('on', 0, now + HOUR_MS)).toEqual({ samples: 0, errors: 0, errorRate: null, p95Ms: null, p99Ms: null });
  });
});

describe('MetricsShard: queries', () => {
  beforeEach(async () => {
    // Minutes -5 … -1 before `minute`: minute -3 is empty; the current minute has data that is not complete yet.
    const deltas: BucketDelta[] = [];
    for (const k of [5, 4, 2, 1])
      deltas.push(delta(minute - k * MINUTE_MS + 5_000, { count: 100 * k, errors: k, bins: sketchFromSamples(Array(k).fill(10 * k)).bins }));
    deltas.push(delta(minute + 5_000, { count: 999, errors: 999 }));
    deltas.push(delta(minute - 2 * MINUTE_MS, { variant: 'off', count: 300, errors: 0 }));
    await shard().ingest(deltas, now);
  });

  it('answers a window over [from, to) with sums and merged quantiles', async () => {
    const w = await shard().window('on', minute - 5 * MINUTE_MS, minute);
    expect(w).toMatchObject({ samples: 1200, errors: 12, errorRate: 0.01 });
    expectQuantilesOf(w, [50, 50, 50, 50, 50, 40, 40, 40, 40, 20, 20, 10]);
    // `to` is exclusive, `from` inclusive.
    expect(await shard().window('on', minute - MINUTE_MS, minute)).toMatchObject({ samples: 100 });
    expect(await shard().window('on', minute - MINUTE_MS, minute + MINUTE_MS)).toMatchObject({ samples: 1099 });
  });

  it('lists the n complete minutes before now per minute, oldest first, empty minutes included', async () => {
    const per = await shard().perMinute('on', now, 5);
    expect(per.map((m) => m.minute)).toEqual([5, 4, 3, 2, 1].map((k) => minute - k * MINUTE_MS));
    expect(per.map((m) => m.samples)).toEqual([500, 400, 0, 200, 100]);
    expect(per.map((m) => m.errorRate)).toEqual([0.01, 0.01, null, 0.01, 0.01]);
    expect(per[2]).toEqual({ minute: minute - 3 * MINUTE_MS, samples: 0, errors: 0, errorRate: null, p95Ms: null, p99Ms: null });
    expectQuantilesOf(per[0]!, [50]);
  });

  it('answers signals with the minutes, their aggregate and the baseline; the bake only when asked', async () => {
    const s = await shard().signals({ treatment: 'on', baseline: 'off', now, minutes: 5, since: 0, bakeFrom: null });
    expect(Object.keys(s).sort()).toEqual(['baseline', 'minutes', 'pairs', 'window']);
    expect(s.pairs).toEqual([]); // none asked for
    expect(s.minutes.map(minuteStatsOf)).toEqual(await shard().perMinute('on', now, 5));
    expect(s.window).toEqual(await shard().window('on', minute - 5 * MINUTE_MS, minute));
    expect(s.window.samples).toBe(s.minutes.reduce((n, m) => n + m.count, 0));
    expect(s.baseline).toMatchObject({ samples: 300, errors: 0, errorRate: 0 });

    const noBaseline = await shard().signals({ treatment: 'on', baseline: null, now, minutes: 2, since: 0, bakeFrom: null });
    expect(Object.keys(noBaseline).sort()).toEqual(['minutes', 'pairs', 'window']);
    expect(noBaseline.minutes.map((m) => m.count)).toEqual([200, 100]);

    // Reports from before `since` (the rollout's start) are left out of the minutes and both
    // windows; those stamped from it on count, in its first (partial) minute too: "on" at +5 s
    // counts, "off" stamped at the minute's start, before `since`, does not.
    const since = await shard().signals({ treatment: 'on', baseline: 'off', now, minutes: 5, since: minute - 2 * MINUTE_MS + 1000, bakeFrom: null });
    expect(since.minutes.map((m) => m.count)).toEqual([0, 0, 0, 200, 100]);
    expect(since.window).toMatchObject({ samples: 300, errors: 3 });
    expect(since.baseline).toMatchObject({ samples: 0 });

    // A bake that started 2 minutes before `minute` covers those two complete minutes only.

    const baking = await shard().signals({ treatment: 'on', baseline: 'off', now, minutes: 5, since: 0, bakeFrom: minute - 2 * MINUTE_MS });
    expect(baking.bake).toMatchObject({ samples: 300, errors: 3 });
  });
});

describe('MetricsShard: many batches', () => {
  // How fast is measured in bench/, not here: this checks that nothing of a long stream is lost.
  it('ingests 200 batches of 100 reports into one shard and counts every report and error', async () => {
    const BATCHES = 200;
    const PER_BATCH = 100;
    const latencies = sketchFromSamples(Array.from({ length: 50 }, (_, i) => 5 + i * 7)).bins;
    const batches = Array.from({ length: BATCHES }, (_, b) =>
      Array.from({ length: PER_BATCH }, (_, i) =>
        delta(now - ((b * PER_BATCH + i) % 10) * MINUTE_MS, { variant: i % 2 ? 'on' : 'off', count: 20, errors: i % 7 === 0 ? 1 : 0, bins: latencies }),
      ),
    );
    for (const batch of batches) expect(await shard().ingest(batch, now)).toEqual({ accepted: PER_BATCH });
    const total = BATCHES * PER_BATCH;
    // Odd i is "on"; of those, i = 7, 21, 35, 49, 63, 77, 91 carry an error: 7 per batch.
    expect(await shard().window('on', now - 20 * MINUTE_MS, now + MINUTE_MS)).toMatchObject({ samples: (total / 2) * 20, errors: 7 * BATCHES });
    expect(await shard().window('off', now - 20 * MINUTE_MS, now + MINUTE_MS)).toMatchObject({ samples: (total / 2) * 20, errors: 8 * BATCHES });
  }, 60_000);
});
