import { runInDurableObject } from 'cloudflare:test';
import { env } from 'cloudflare:workers';
import { HOUR_MS, MINUTE_MS } from '../../src/core/metrics/minutes';
import { sketchFromSamples } from '../../src/core/metrics/sketch';
import type { BucketDelta } from '../../src/metrics/bucket-table';
import { TestClock } from './clock';
import { worldPerTest } from './world-per-test';

/** One test's world: the clock (the objects' Date.now() too), a minute 10 minutes into an hour, and now, 30 s into that minute. */
export interface ShardWorld {
  clock: TestClock;
  minute: number;
  now: number;
}

/**
 * The metrics shards, called directly, on a fresh world for every test of the file that calls this
 * (at its top level): registers the beforeEach that makes a TestClock and sets it 30 s into a
 * minute 10 minutes into an hour, handing the world to `onWorld` (to keep in the file's own
 * variables), and the afterEach that restores the clock and resets storage.
 */
export function shardEachTest(onWorld: (world: ShardWorld) => void): void {
  worldPerTest<ShardWorld>(
    () => {
      const clock = new TestClock();
      const minute = Math.ceil(clock.now / HOUR_MS) * HOUR_MS + 10 * MINUTE_MS;
      return { clock, minute, now: clock.set(minute + 30_000) };
    },
    ({ clock }) => clock.restore(),
    onWorld,
  );
}

export const shard = (name = 'staging/new-checkout') => env.METRICS.getByName(name);

/** A report of 100 requests of `on` at `at`, all at 50 ms, with `d` changed. */
export const delta = (at: number, d: Partial<BucketDelta> = {}): BucketDelta => ({
  variant: 'on',
  at,
  count: 100,
  errors: 0,
  bins: sketchFromSamples([50]).bins,
  ...d,
});

export type Row = { variant: string; start: number; count: number; errors: number; bins: Record<string, number> };

/** The rows of a bucket table, oldest first. */
export function rows(table: 'minute_buckets' | 'hour_buckets', name?: string): Promise<Row[]> {
  return runInDurableObject(shard(name), (_i, state) =>
    state.storage.sql
      .exec<{ variant: string; start: number; count: number; errors: number; bins: string }>(`SELECT * FROM ${table} ORDER BY start, variant`)
      .toArray()
      .map((r) => ({ ...r, bins: JSON.parse(r.bins) as Record<string, number> })),
  );
}
