import { parseStoredScopes, storedScopes } from '../core/key-scopes';
import type { ClientKeyHash, KeyScope } from '../core/schema/snapshot';

/** A key as the admin API lists it: never its secret or hash. */
export interface ClientKeyInfo {
  name: string;
  scopes: KeyScope[];
  createdAt: string;
  createdBy: string;
}

type Row = {
  name: string;
  sha256: string;
  scopes: string;
  created_at: number;
  created_by: string;
};

/** The client keys of an environment, stored as SHA-256 hashes only. */
export class ClientKeys {
  constructor(private readonly sql: SqlStorage) {}

  /** Every key's name, hash and scopes, as published in the snapshot envelope. */
  all(): ClientKeyHash[] {
    return this.rows().map((r) => ({ name: r.name, sha256: r.sha256, scopes: parseStoredScopes(r.scopes) }));
  }

  /** Every key's name, scopes and creation, for listing. */
  list(): ClientKeyInfo[] {
    return this.rows().map((r) => ({
      name: r.name,
      scopes: parseStoredScopes(r.scopes),
      createdAt: new Date(r.created_at).toISOString(),
      createdBy: r.created_by,
    }));
  }

  /** The hash and scopes stored under a name, if any. */
  get(name: string): { sha256: string; scopes: KeyScope[] } | null {
    const row = this.sql.exec<{ sha256: string; scopes: string }>('SELECT sha256, scopes FROM client_keys WHERE name = ?', name).toArray()[0];
    return row ? { sha256: row.sha256, scopes: parseStoredScopes(row.scopes) } : null;
  }

  /** Stores a key. */
  add(name: string, sha256: string, scopes: readonly KeyScope[], at: number, actor: string): void {
    this.sql.exec(
      'INSERT INTO client_keys (name, sha256, scopes, created_at, created_by) VALUES (?, ?, ?, ?, ?)',
      name,
      sha256,
      storedScopes(scopes),
      at,
      actor,
    );
  }

  /** Removes a key; true when it existed. */
  remove(name: string): boolean {
    return this.sql.exec('DELETE FROM client_keys WHERE name = ?', name).rowsWritten > 0;
  }

  private rows(): Row[] {
    return this.sql.exec<Row>('SELECT name, sha256, scopes, created_at, created_by FROM client_keys ORDER BY name').toArray();
  }
}
