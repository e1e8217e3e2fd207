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
