/**
 * MetricsShard, hourly roll-ups and pruning: a bake longer than the minute retention is judged from
 * hourly roll-ups before and after the minutes are pruned; the alarm prunes minute and hour buckets
 * past their retention, keeps recent ones, and stops re-arming once everything is pruned.
 */
import { runDurableObjectAlarm, runInDurableObject } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import { HOUR_MS, MINUTE_MS } from '../src/core/metrics/minutes';
import { HOUR_RETENTION_MS, MINUTE_RETENTION_MS } from '../src/metrics/metrics-shard';
import { expectQuantilesOf } from './helpers/exact-quantile';
import { delta, rows, shard, shardEachTest } from './helpers/metrics-shard-kit';

/** A minute-aligned "now" (the DO's Date.now() too), plus 30 s. */
let now: number;
let minute: number;
shardEachTest((world) => ({ now, minute } = world));

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
