/**
 * MetricsShard, a window that starts inside a minute (a rollout's start): counts exactly the
 * reports stamped at or after the start (to the second), answers nothing about the start's minute
 * while it is current, and keeps 1-second slots as long as such a window can need them, then prunes them.
 */
import { runDurableObjectAlarm, runInDurableObject } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import { HOUR_MS, MINUTE_MS } from '../src/core/metrics/minutes';
import { SECOND_RETENTION_MS } from '../src/metrics/metrics-shard';
import { delta, shard, shardEachTest } from './helpers/metrics-shard-kit';

/** A minute-aligned "now" (the DO's Date.now() too), plus 30 s. */
let now: number;
let minute: number;
shardEachTest((world) => ({ now, minute } = world));

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
