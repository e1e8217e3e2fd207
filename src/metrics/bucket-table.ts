import { mergeInto } from '../core/metrics/sketch';
import { countOf, type MinuteBucket } from '../core/metrics/window-stats';

/** A report reduced to what a bucket stores. */
export interface BucketDelta {
  variant: string;
  at: number;
  count: number;
  errors: number;
  bins: Record<string, number>;
}

type Row = { variant: string; start: number; count: number; errors: number; bins: string };

/** A table of per-variant buckets of one width (second, minute or hour), merged exactly. */
export class BucketTable {
  constructor(
    private readonly sql: SqlStorage,
    private readonly table: 'second_buckets' | 'minute_buckets' | 'hour_buckets',
    private readonly startOf: (t: number) => number,
  ) {}

  /** Adds deltas, one upsert per (variant, bucket) after merging in memory. */
  add(deltas: readonly BucketDelta[]): void {
    const merged = new Map<string, BucketDelta>();
    for (const d of deltas) {
      const start = this.startOf(d.at);
      const key = `${d.variant}\u0000${start}`;
      const m = merged.get(key);
      if (m) {
        m.count += d.count;
        m.errors += d.errors;
        mergeInto(m.bins, d.bins);
      } else {
        merged.set(key, { variant: d.variant, at: start, count: d.count, errors: d.errors, bins: { ...d.bins } });
      }
    }
    for (const m of merged.values()) {
      const row = this.sql.exec<Row>(`SELECT * FROM ${this.table} WHERE variant = ? AND start = ?`, m.variant, m.at).toArray()[0];
      if (row) {
        const bins = mergeInto(binsOf(row.bins), m.bins);
        this.sql.exec(
          `UPDATE ${this.table} SET count = ?, errors = ?, bins = ? WHERE variant = ? AND start = ?`,
          countOf(row.count) + m.count,
          countOf(row.errors) + m.errors,
          JSON.stringify(bins),
          m.variant,
          m.at,
        );
      } else {
        this.sql.exec(
          `INSERT INTO ${this.table} (variant, start, count, errors, bins) VALUES (?, ?, ?, ?, ?)`,
          m.variant,
          m.at,
          m.count,
          m.errors,
          JSON.stringify(m.bins),
        );
      }
    }
  }

  /** Buckets of a variant starting in [from, to), oldest first. */
  range(variant: string, from: number, to: number): MinuteBucket[] {
    return this.sql
      .exec<Row>(`SELECT * FROM ${this.table} WHERE variant = ? AND start >= ? AND start < ? ORDER BY start`, variant, from, to)
      .toArray()
      .map((r) => ({ minute: r.start, count: countOf(r.count), errors: countOf(r.errors), bins: binsOf(r.bins) }));
  }

  /** Deletes buckets that start before `before`; returns how many. */
  prune(before: number): number {
    return this.sql.exec(`DELETE FROM ${this.table} WHERE start < ?`, before).rowsWritten;
  }
}

/**
 * A stored row's sketch, read defensively: rows outlive schemas and may be edited by hand, and one
 * unreadable row must not stop every later report of its bucket (or the verdicts read over it), so
 * text that is not a JSON object reads as an empty sketch and bad bins are dropped by mergeInto.
 */
function binsOf(text: string): Record<string, number> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return {};
  }
  return typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed) ? mergeInto({}, parsed as Record<string, number>) : {};
}
