import type { Migration } from '../sqlite/migrate';

/** The MetricsShard's SQLite schema, as numbered migrations (docs/storage-schema.md). */
export const SHARD_MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    sql: `
      CREATE TABLE minute_buckets (variant TEXT NOT NULL, start INTEGER NOT NULL, count INTEGER NOT NULL, errors INTEGER NOT NULL, bins TEXT NOT NULL, PRIMARY KEY (variant, start));
      CREATE TABLE hour_buckets (variant TEXT NOT NULL, start INTEGER NOT NULL, count INTEGER NOT NULL, errors INTEGER NOT NULL, bins TEXT NOT NULL, PRIMARY KEY (variant, start));
    `,
  },
  {
    // 1-second slots of recent reports, so a window can start inside a minute (a rollout's start).
    version: 2,
    sql: `
      CREATE TABLE second_buckets (variant TEXT NOT NULL, start INTEGER NOT NULL, count INTEGER NOT NULL, errors INTEGER NOT NULL, bins TEXT NOT NULL, PRIMARY KEY (variant, start));
    `,
  },
];
