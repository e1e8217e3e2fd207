import { type RollgateConfig, zRollgateConfig } from '../core/schema/config';

/** A stored config version. */
export interface ConfigVersion {
  version: number;
  config: RollgateConfig;
  createdAt: number;
  actor: string;
  reason: string | null;
}

type Row = {
  version: number;
  document: string;
  created_at: number;
  actor: string;
  reason: string | null;
};

/** The full history of an environment's config; any version can be read back. */
export class ConfigVersions {
  private cache: ConfigVersion | null | undefined;

  constructor(private readonly sql: SqlStorage) {}

  /** The newest version, or null before the first write. */
  latest(): ConfigVersion | null {
    if (this.cache === undefined) {
      const row = this.sql.exec<Row>('SELECT * FROM config_versions ORDER BY version DESC LIMIT 1').toArray()[0];
      this.cache = row ? toVersion(row) : null;
    }
    return this.cache;
  }

  /** A specific version, or null. */
  get(version: number): ConfigVersion | null {
    const row = this.sql.exec<Row>('SELECT * FROM config_versions WHERE version = ?', version).toArray()[0];
    return row ? toVersion(row) : null;
  }

  /** The newest `limit` versions without their documents, newest first. */
  list(limit: number): Array<Omit<ConfigVersion, 'config'>> {
    return this.sql
      .exec<Omit<Row, 'document'>>('SELECT version, created_at, actor, reason FROM config_versions ORDER BY version DESC LIMIT ?', limit)
      .toArray()
      .map((r) => ({ version: r.version, createdAt: r.created_at, actor: r.actor, reason: r.reason }));
  }

  /** Appends a version one above the latest; call inside a transaction. */
  append(config: RollgateConfig, at: number, actor: string, reason: string | null): ConfigVersion {
    const version = (this.latest()?.version ?? 0) + 1;
    this.sql.exec(
      'INSERT INTO config_versions (version, document, created_at, actor, reason) VALUES (?, ?, ?, ?, ?)',
      version,
      JSON.stringify(config),
      at,
      actor,
      reason,
    );
    this.cache = { version, config, createdAt: at, actor, reason };
    return this.cache;
  }

  /** Drops the in-memory copy, after a transaction that rolled back. */
  forget(): void {
    this.cache = undefined;
  }
}

function toVersion(row: Row): ConfigVersion {
  // Stored documents were validated when written; parsing again guards against manual edits.
  return {
    version: row.version,
    config: zRollgateConfig.parse(JSON.parse(row.document)),
    createdAt: row.created_at,
    actor: row.actor,
    reason: row.reason,
  };
}
