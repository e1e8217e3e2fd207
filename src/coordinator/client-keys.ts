import type { ClientKeyHash } from '../core/schema/snapshot';

/** The client keys of an environment, stored as SHA-256 hashes only. */
export class ClientKeys {
  constructor(private readonly sql: SqlStorage) {}

  /** Every key's name and hash, as published in the snapshot envelope. */
  all(): ClientKeyHash[] {
    return this.sql.exec<{ name: string; sha256: string }>('SELECT name, sha256 FROM client_keys ORDER BY name').toArray().map((r) => ({ name: r.name, sha256: r.sha256 }));
  }

  /** The hash stored under a name, if any. */
  hashOf(name: string): string | null {
    return this.sql.exec<{ sha256: string }>('SELECT sha256 FROM client_keys WHERE name = ?', name).toArray()[0]?.sha256 ?? null;
  }

  /** Stores a key. */
  add(name: string, sha256: string, at: number, actor: string): void {
    this.sql.exec('INSERT INTO client_keys (name, sha256, created_at, created_by) VALUES (?, ?, ?, ?)', name, sha256, at, actor);
  }

  /** Removes a key; true when it existed. */
  remove(name: string): boolean {
    return this.sql.exec('DELETE FROM client_keys WHERE name = ?', name).rowsWritten > 0;
  }
}
