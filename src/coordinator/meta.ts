/** Small named values of the coordinator: its environment, snapshot sequence and publish state. */
export class Meta {
  constructor(private readonly sql: SqlStorage) {}

  /** Reads a value, or `fallback` when unset. */
  get(key: string, fallback: string): string {
    const row = this.sql.exec<{ value: string }>('SELECT value FROM meta WHERE key = ?', key).toArray()[0];
    return row ? row.value : fallback;
  }

  /** Reads a numeric value. */
  num(key: string, fallback = 0): number {
    return Number(this.get(key, String(fallback)));
  }

  /** Writes a value. */
  set(key: string, value: string | number): void {
    this.sql.exec('INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value', key, String(value));
  }
}

/**
 * A list kept as one JSON value in meta, read entry by entry: unreadable JSON reads as none and an
 * unreadable entry is skipped, so one bad entry neither hides (nor, at the next write, erases) the
 * others, and such a record can never stop a tick.
 */
export function readMetaList<T>(meta: Meta, key: string, schema: { safeParse(v: unknown): { success: true; data: T } | { success: false } }): T[] {
  let json: unknown;
  try {
    json = JSON.parse(meta.get(key, '[]'));
  } catch {
    return [];
  }
  if (!Array.isArray(json)) return [];
  return json.flatMap((entry) => {
    const parsed = schema.safeParse(entry);
    return parsed.success ? [parsed.data] : [];
  });
}
