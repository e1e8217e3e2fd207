/** A numbered schema change of a Durable Object's SQLite database. */
export interface Migration {
  version: number;
  sql: string;
}

/** Applies the migrations not yet applied, in order, each in its own transaction, and records them. */
export function migrateSqlite(storage: DurableObjectStorage, migrations: readonly Migration[], now: number): void {
  const sql = storage.sql;
  sql.exec('CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, applied_at INTEGER NOT NULL)');
  const applied = new Set(
    sql
      .exec<{ version: number }>('SELECT version FROM schema_migrations')
      .toArray()
      .map((r) => r.version),
  );
  for (const m of migrations) {
    if (applied.has(m.version)) continue;
    storage.transactionSync(() => {
      sql.exec(m.sql);
      sql.exec('INSERT INTO schema_migrations (version, applied_at) VALUES (?, ?)', m.version, now);
    });
  }
}
