import { type Rollout, zRollout } from '../core/schema/rollout';
import type { RolloutEvent } from '../core/rollout/events';

/** A transition as the API shows it in a rollout's history. */
export interface Transition {
  at: string;
  actor: string;
  event: string;
  fromStatus: string;
  toStatus: string;
  fromPercent: number;
  toPercent: number;
  details: unknown;
}

const ACTIVE = "('running', 'paused')";

/** The rollouts table and its transitions. */
export class RolloutRows {
  constructor(private readonly sql: SqlStorage) {}

  /** One rollout by id. */
  get(id: string): Rollout | null {
    const row = this.sql.exec<{ data: string }>('SELECT data FROM rollouts WHERE id = ?', id).toArray()[0];
    return row ? zRollout.parse(JSON.parse(row.data)) : null;
  }

  /** Running and paused rollouts. */
  active(): Rollout[] {
    return this.sql
      .exec<{ data: string }>(`SELECT data FROM rollouts WHERE status IN ${ACTIVE} ORDER BY id`)
      .toArray()
      .map((r) => zRollout.parse(JSON.parse(r.data)));
  }

  /** The active rollout of a flag, if any. */
  activeForFlag(flag: string): Rollout | null {
    const row = this.sql.exec<{ data: string }>(`SELECT data FROM rollouts WHERE flag = ? AND status IN ${ACTIVE}`, flag).toArray()[0];
    return row ? zRollout.parse(JSON.parse(row.data)) : null;
  }

  /** All rollouts, newest first, optionally of one status. */
  list(status?: string): Rollout[] {
    const rows = status
      ? this.sql.exec<{ data: string }>('SELECT data FROM rollouts WHERE status = ? ORDER BY rowid DESC', status).toArray()
      : this.sql.exec<{ data: string }>('SELECT data FROM rollouts ORDER BY rowid DESC').toArray();
    return rows.map((r) => zRollout.parse(JSON.parse(r.data)));
  }

  /** Inserts or replaces a rollout row. */
  save(r: Rollout, at: number): void {
    this.sql.exec(
      'INSERT INTO rollouts (id, flag, status, data, updated_at) VALUES (?, ?, ?, ?, ?) ON CONFLICT(id) DO UPDATE SET status = excluded.status, data = excluded.data, updated_at = excluded.updated_at',
      r.id,
      r.flag,
      r.status,
      JSON.stringify(r),
      at,
    );
  }

  /** Records the transitions that events describe. */
  recordTransitions(before: Rollout, after: Rollout, events: readonly RolloutEvent[], actor: string, at: number): void {
    for (const e of events) {
      if (e.type === 'waiting') continue;
      this.sql.exec(
        'INSERT INTO rollout_transitions (rollout_id, at, actor, event, from_status, to_status, from_percent, to_percent, details) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)',
        after.id,
        at,
        actor,
        e.type,
        before.status,
        after.status,
        before.percent,
        after.percent,
        JSON.stringify(e),
      );
    }
  }

  /** A rollout's transitions, oldest first. */
  history(id: string): Transition[] {
    return this.sql
      .exec<{ at: number; actor: string; event: string; from_status: string; to_status: string; from_percent: number; to_percent: number; details: string }>(
        'SELECT * FROM rollout_transitions WHERE rollout_id = ? ORDER BY id',
        id,
      )
      .toArray()
      .map((r) => ({
        at: new Date(r.at).toISOString(),
        actor: r.actor,
        event: r.event,
        fromStatus: r.from_status,
        toStatus: r.to_status,
        fromPercent: r.from_percent,
        toPercent: r.to_percent,
        details: JSON.parse(r.details) as unknown,
      }));
  }
}
