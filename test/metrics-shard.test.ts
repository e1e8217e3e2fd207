import { reset, runDurableObjectAlarm, runInDurableObject } from 'cloudflare:test';
import { env } from 'cloudflare:workers';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { HOUR_MS, MINUTE_MS } from '../src/core/metrics/minutes';
import { sketchFromSamples } from '../src/core/metrics/sketch';
import { minuteStatsOf } from '../src/core/metrics/window-stats';
import type { BucketDelta } from '../src/metrics/bucket-table';
import { HOUR_RETENTION_MS, MINUTE_RETENTION_MS, SECOND_RETENTION_MS } from '../src/metrics/metrics-shard';
import { TestClock } from './helpers/clock';
import { expectQuantilesOf } from './helpers/exact-quantile';

let clock: TestClock;
/** A minute-aligned "now" (the DO's Date.now() too), plus 30 s. */
let now: number;
let minute: number;

beforeEach(() => {
  clock = new TestClock();
  minute = Math.ceil(clock.now / HOUR_MS) * HOUR_MS + 10 * MINUTE_MS; // 10 minutes into an hour
  now = clock.set(minute + 30_000);
});
afterEach(async () => {
  clock.restore();
  await reset();
});

const shard = (name = 'staging/new-checkout') => env.METRICS.getByName(name);

const delta = (at: number, d: Partial<BucketDelta> = {}): BucketDelta => ({
  variant: 'on',
  at,
  count: 100,
  errors: 0,
  bins: sketchFromSamples([50]).bins,
  ...d,
});

type Row = { variant: string; start: number; count: number; errors: number; bins: Record<string, number> };

/** The rows of a bucket table, oldest first. */
function rows(table: 'minute_buckets' | 'hour_buckets', name?: string): Promise<Row[]> {
  return runInDurableObject(shard(name), (_i, state) =>
    state.storage.sql
      .exec<{ variant: string; start: number; count: number; errors: number; bins: string }>(`SELECT * FROM ${table} ORDER BY start, variant`)
      .toArray()
      .map((r) => ({ ...r, bins: JSON.parse(r.bins) as Record<string, number> })),
  );
}

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

describe("MetricsShard: a window that starts inside a minute (a rollout's start)", () => {
  const start = () => minute - 2 * MINUTE_MS + 20_000; // 20 s into the minute before last

  it('counts exactly the reports stamped at or after the start, in its first minute too', async () => {
    const s = start();
    await shard().ingest(
      [
        delta(s - 10_000, { count: 1000, errors: 1000 }), // before the start: left out
        delta(s - 1, { count: 1000, errors: 1000 }), // 1 ms before: left out
        delta(s, { count: 10, errors: 2 }),
        delta(s + 10_000, { count: 30, errors: 3 }),
        delta(minute - MINUTE_MS - 1, { count: 60, errors: 0 }), // the minute's last millisecond
        delta(minute - 30_000, { count: 100, errors: 1 }), // the next, whole minute
        delta(s - 5_000, { variant: 'off', count: 500 }),
        delta(s + 5_000, { variant: 'off', count: 7 }),
      ],
      now,
    );
    const q = { treatment: 'on', baseline: 'off', now, minutes: 5, since: s, bakeFrom: null };
    const sig = await shard().signals(q);
    expect(sig.minutes.map((m) => [m.minute, m.count, m.errors])).toEqual([
      [minute - 5 * MINUTE_MS, 0, 0],
      [minute - 4 * MINUTE_MS, 0, 0],
      [minute - 3 * MINUTE_MS, 0, 0],
      [minute - 2 * MINUTE_MS, 100, 5],
      [minute - MINUTE_MS, 100, 1],
    ]);
    expect(sig.window).toMatchObject({ samples: 200, errors: 6, errorRate: 0.03 });
    expect(sig.baseline).toMatchObject({ samples: 7 });
    // The minute buckets still hold everything: only the rollout's window is cut at its start.
    expect(await shard().window('on', minute - 2 * MINUTE_MS, minute - MINUTE_MS)).toMatchObject({ samples: 2100 });
    // The guards' minutes of both cohorts are cut the same way, from the start's minute on.
    const pairs = (await shard().signals({ ...q, pairsFrom: minute - 5 * MINUTE_MS })).pairs;
    expect(pairs.map((p) => [p.minute, p.treatment?.count, p.treatment?.errors, p.baseline?.count])).toEqual([
      [minute - 2 * MINUTE_MS, 100, 5, 7],
      [minute - MINUTE_MS, 100, 1, 0],
    ]);
    // A bake that starts inside a minute is cut the same way.
    const baking = await shard().signals({ ...q, bakeFrom: s + 10_000 });
    expect(baking.bake).toMatchObject({ samples: 190, errors: 4 });
  });

  it('compares to the second: a start inside a second counts from the next whole second', async () => {
    const s = start() + 500;
    await shard().ingest([delta(s + 200, { count: 1000 }), delta(s + 500, { count: 3 })], now);
    const sig = await shard().signals({ treatment: 'on', baseline: null, now, minutes: 5, since: s, bakeFrom: null });
    expect(sig.window.samples).toBe(3);
  });

  it("answers nothing about the start's minute while it is still the current minute", async () => {
    const s = minute + 10_000;
    await shard().ingest([delta(s + 1000, { count: 500, errors: 500 })], now);
    const sig = await shard().signals({ treatment: 'on', baseline: null, now: minute + 50_000, minutes: 1, since: s, bakeFrom: null });
    expect(sig.minutes).toEqual([expect.objectContaining({ minute: minute - MINUTE_MS, count: 0 })]);
    expect(sig.window.samples).toBe(0);
    const next = await shard().signals({ treatment: 'on', baseline: null, now: minute + MINUTE_MS, minutes: 1, since: s, bakeFrom: null });
    expect(next.minutes).toEqual([expect.objectContaining({ minute, count: 500, errors: 500 })]);
  });

  it('keeps 1-second slots (schema migration 2) past every window that can start inside a minute, then prunes them', async () => {
    const versions = await runInDurableObject(shard(), (_i, state) =>
      state.storage.sql
        .exec<{ version: number }>('SELECT version FROM schema_migrations ORDER BY version')
        .toArray()
        .map((r) => r.version),
    );
    expect(versions).toEqual([1, 2]);
    expect(SECOND_RETENTION_MS).toBeGreaterThan(2 * HOUR_MS); // the longest bake judged from minute buckets
    await shard().ingest([delta(now - 10 * MINUTE_MS), delta(now - 10 * MINUTE_MS + 400), delta(now - SECOND_RETENTION_MS - MINUTE_MS)], now);
    const slots = () =>
      runInDurableObject(shard(), (_i, state) =>
        state.storage.sql.exec<{ start: number; count: number }>('SELECT start, count FROM second_buckets ORDER BY start').toArray(),
      );
    expect(await slots()).toEqual([
      { start: now - SECOND_RETENTION_MS - MINUTE_MS, count: 100 },
      { start: now - 10 * MINUTE_MS, count: 200 },
    ]);
    expect(await runDurableObjectAlarm(shard())).toBe(true);
    expect(await slots()).toEqual([{ start: now - 10 * MINUTE_MS, count: 200 }]);
  });
});

describe('MetricsShard: hourly roll-ups and pruning', () => {
  it('judges a bake longer than the minute retention from hourly roll-ups, before and after the minutes are pruned', async () => {
    const bakeFrom = minute - 10 * MINUTE_MS - 40 * HOUR_MS; // an hour start, 40 h ago
    const deltas = [
      delta(bakeFrom + 5 * MINUTE_MS, { count: 1000, errors: 1 }),
      delta(minute - 30 * HOUR_MS, { count: 2000, errors: 0 }),
      delta(minute - 5 * HOUR_MS, { count: 3000, errors: 2 }),
      delta(minute - 2 * MINUTE_MS, { count: 400, errors: 0 }),
      delta(bakeFrom - 2 * HOUR_MS, { count: 50_000, errors: 5000 }), // before the bake: not counted
    ];
    await shard().ingest(deltas, now);
    const query = { treatment: 'on', baseline: null, now, minutes: 5, since: bakeFrom - 96 * HOUR_MS, bakeFrom };
    const before = await shard().signals(query);
    expect(before.bake).toMatchObject({ samples: 6400, errors: 3 });

    expect(await runDurableObjectAlarm(shard())).toBe(true);
    // The minute buckets of 40, 30 and 5 hours ago are gone; the hourly roll-ups still hold them.
    expect(await shard().window('on', bakeFrom, minute - 3 * HOUR_MS)).toMatchObject({ samples: 0 });
    expect(await shard().window('on', bakeFrom, minute - 3 * HOUR_MS, true)).toMatchObject({ samples: 6000, errors: 3 });
    const after = await shard().signals(query);
    expect(after.bake).toEqual(before.bake);
    expect(after.bake).toMatchObject({ samples: 6400, errors: 3, errorRate: 3 / 6400 });
    expectQuantilesOf(after.bake!, [50]);
  });

  it('prunes minute buckets past their retention and hour buckets past their retention (the longest bake and a day) by alarm, keeping recent ones', async () => {
    // Ages an hour or more apart, so that no two share an hour bucket.
    const ages = [
      10 * MINUTE_MS,
      MINUTE_RETENTION_MS - HOUR_MS,
      MINUTE_RETENTION_MS + HOUR_MS,
      2 * 24 * HOUR_MS,
      HOUR_RETENTION_MS - 2 * HOUR_MS,
      HOUR_RETENTION_MS + 2 * HOUR_MS,
      HOUR_RETENTION_MS + 24 * HOUR_MS,
    ];
    await shard().ingest(
      ages.map((age, i) => delta(now - age, { count: i + 1 })),
      now,
    );
    expect(await rows('minute_buckets')).toHaveLength(ages.length);
    expect(MINUTE_RETENTION_MS).toBeGreaterThanOrEqual(2 * HOUR_MS);
    expect(HOUR_RETENTION_MS).toBeGreaterThanOrEqual(8 * 24 * HOUR_MS);

    expect(await runDurableObjectAlarm(shard())).toBe(true);
    const minutes = await rows('minute_buckets');
    const hours = await rows('hour_buckets');
    // Minute buckets: only those younger than the minute retention (10 min and retention − 1 h).
    expect(minutes.map((r) => r.count).sort((x, y) => x - y)).toEqual([1, 2]);
    expect(minutes.every((r) => r.start >= now - MINUTE_RETENTION_MS)).toBe(true);
    // Hour buckets: everything up to retention − 2 h; not retention + 2 h nor retention + 1 day.
    expect(hours.map((r) => r.count).sort((x, y) => x - y)).toEqual([1, 2, 3, 4, 5]);
    expect(hours.every((r) => r.start >= now - HOUR_RETENTION_MS)).toBe(true);
    // Data remains, so the alarm is armed again.
    expect(await runInDurableObject(shard(), (_i, state) => state.storage.getAlarm())).not.toBeNull();
  });

  it('stops re-arming the alarm once everything is pruned', async () => {
    await shard().ingest([delta(now - HOUR_RETENTION_MS - 24 * HOUR_MS)], now);
    expect(await runDurableObjectAlarm(shard())).toBe(true);
    expect(await rows('minute_buckets')).toEqual([]);
    expect(await rows('hour_buckets')).toEqual([]);
    expect(await runInDurableObject(shard(), (_i, state) => state.storage.getAlarm())).toBeNull();
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
