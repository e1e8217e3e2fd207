import type { Migration } from '../sqlite/migrate';

/**
 * The coordinator's SQLite schema, as numbered migrations. A migration never changes once
 * released; a change is a new migration. docs/storage-schema.md describes every table.
 */
export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    sql: `
      CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
      CREATE TABLE config_versions (
        version INTEGER PRIMARY KEY,
        document TEXT NOT NULL,
        created_at INTEGER NOT NULL,
        actor TEXT NOT NULL,
        reason TEXT
      );
      CREATE TABLE rollouts (
        id TEXT PRIMARY KEY,
        flag TEXT NOT NULL,
        status TEXT NOT NULL,
        data TEXT NOT NULL,
        updated_at INTEGER NOT NULL
      );
      CREATE INDEX rollouts_by_status ON rollouts (status, flag);
      CREATE TABLE rollout_transitions (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        rollout_id TEXT NOT NULL,
        at INTEGER NOT NULL,
        actor TEXT NOT NULL,
        event TEXT NOT NULL,
        from_status TEXT NOT NULL,
        to_status TEXT NOT NULL,
        from_percent REAL NOT NULL,
        to_percent REAL NOT NULL,
        details TEXT NOT NULL
      );
      CREATE INDEX transitions_by_rollout ON rollout_transitions (rollout_id, id);
      CREATE TABLE audit_log (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        at INTEGER NOT NULL,
        actor TEXT NOT NULL,
        action TEXT NOT NULL,
        target TEXT NOT NULL,
        flags TEXT NOT NULL,
        reason TEXT,
        diff TEXT NOT NULL
      );
      CREATE TABLE client_keys (
        name TEXT PRIMARY KEY,
        sha256 TEXT NOT NULL,
        created_at INTEGER NOT NULL,
        created_by TEXT NOT NULL
      );
      CREATE TABLE processed_ticks (scheduled_time INTEGER PRIMARY KEY, processed_at INTEGER NOT NULL);
    `,
  },
  {
    version: 2,
    sql: `
      CREATE TABLE probe_state (
        name TEXT PRIMARY KEY,
        url TEXT NOT NULL,
        consecutive_failures INTEGER NOT NULL,
        last_status INTEGER,
        last_error TEXT,
        last_checked_at INTEGER NOT NULL
      );
    `,
  },
  {
    // Client key scopes, as canonical comma-separated text (`evaluate`, `report`, `evaluate,report`).
    // Keys issued before scopes existed were browser keys: they stay evaluate-only.
    version: 3,
    sql: `ALTER TABLE client_keys ADD COLUMN scopes TEXT NOT NULL DEFAULT 'evaluate';`,
  },
  {
    // The notification outbox: deliveries enqueued in the transaction of the decision they report,
    // sent by the alarm (notification-outbox.ts).
    version: 4,
    sql: `
      CREATE TABLE notification_deliveries (
        seq INTEGER PRIMARY KEY AUTOINCREMENT,
        id TEXT NOT NULL UNIQUE,
        notification TEXT NOT NULL,
        url TEXT NOT NULL,
        format TEXT NOT NULL,
        event TEXT NOT NULL,
        audit_id INTEGER NOT NULL,
        target TEXT NOT NULL,
        flag TEXT,
        body TEXT NOT NULL,
        status TEXT NOT NULL,
        attempts INTEGER NOT NULL,
        next_attempt_at INTEGER NOT NULL,
        created_at INTEGER NOT NULL,
        delivered_at INTEGER,
        last_status INTEGER,
        last_error TEXT,
        attempt_log TEXT NOT NULL
      );
      CREATE INDEX deliveries_by_notification ON notification_deliveries (notification, status, seq);
    `,
  },
];
