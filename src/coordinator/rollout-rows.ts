import { firstIssue } from '../core/config/issues';
import { type Rollout, zRollout } from '../core/schema/rollout';
import { ACTIVE_STATUSES } from '../core/rollout/schedule';
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

const ACTIVE = `(${ACTIVE_STATUSES.map((s) => `'${s}'`).join(', ')})`;

/**
 * A stored rollout whose row does not parse (written by older code, or by hand). It is held: never
 * ticked, never published (its flag serves the baseline), shown with `broken`, and only rollback
 * applies to it. The id, flag and status come from the row's own columns.
 */
export interface BrokenRollout {
  id: string;
  flag: string;
  status: string;
  /** Why the row does not parse, for operators. */
  broken: string;
}

/** A row of the rollouts table: a rollout, or a broken one. */
export type StoredRollout = Rollout | BrokenRollout;

/** True for a row that did not parse. */
export function isBroken(r: StoredRollout): r is BrokenRollout {
  return Object.hasOwn(r, 'broken');
}

type Row = { id: string; flag: string; status: string; data: string };

/** Parses a row; a row that does not parse comes back broken instead of throwing. */
export function parseRow(row: Row): StoredRollout {
  let json: unknown;
  try {
    json = JSON.parse(row.data);
  } catch {
    return { id: row.id, flag: row.flag, status: row.status, broken: 'stored row is not JSON' };
  }
  const parsed = zRollout.safeParse(json);
  if (parsed.success) return parsed.data;
  return { id: row.id, flag: row.flag, status: row.status, broken: `stored row does not parse at ${firstIssue(parsed.error)}` };
}

/** Thrown by `save` for a rollout that would not read back: such a row is never stored. */
export class UnstorableRollout extends Error {}

/** The rollouts table and its transitions. */
export class RolloutRows {
  constructor(private readonly sql: SqlStorage) {}

  private rows(query: string, ...args: string[]): StoredRollout[] {
    return this.sql
      .exec<Row>(`SELECT id, flag, status, data FROM rollouts ${query}`, ...args)
      .toArray()
      .map(parseRow);
  }

  /** One rollout by id. */
  get(id: string): StoredRollout | null {
    return this.rows('WHERE id = ?', id)[0] ?? null;
  }

  /** Running and paused rollouts that parse: what ticks, publishes and guards the config. */
  active(): Rollout[] {
    return this.activeRows().filter((r): r is Rollout => !isBroken(r));
  }

  /** Running and paused rows, broken ones included. */
  activeRows(): StoredRollout[] {
    return this.rows(`WHERE status IN ${ACTIVE} ORDER BY id`);
  }

  /** The active rollout of a flag, if any, broken or not (a broken active row still holds the flag). */
  activeForFlag(flag: string): StoredRollout | null {
    return this.rows(`WHERE flag = ? AND status IN ${ACTIVE}`, flag)[0] ?? null;
  }

  /** All rollouts, newest first, optionally of one status. */
  list(status?: string): StoredRollout[] {
    return status ? this.rows('WHERE status = ? ORDER BY rowid DESC', status) : this.rows('ORDER BY rowid DESC');
  }

  /** Sets the status column of a broken row (its data cannot be rewritten without parsing it). */
  setBrokenStatus(id: string, status: string, at: number): void {
    this.sql.exec('UPDATE rollouts SET status = ?, updated_at = ? WHERE id = ?', status, at, id);
  }

  /** Inserts or replaces a rollout row. */
  save(r: Rollout, at: number): void {
    // Checked as it will be read back: JSON turns Infinity and NaN into null.
    const data = JSON.stringify(r);
    const back = parseRow({ id: r.id, flag: r.flag, status: r.status, data });
    if (isBroken(back)) throw new UnstorableRollout(`rollout ${r.id} was not stored: ${back.broken}`);
    this.sql.exec(
      'INSERT INTO rollouts (id, flag, status, data, updated_at) VALUES (?, ?, ?, ?, ?) ON CONFLICT(id) DO UPDATE SET status = excluded.status, data = excluded.data, updated_at = excluded.updated_at',
      r.id,
      r.flag,
      r.status,
      data,
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

  /** Records an operator's rollback of a broken row; its percent is unknown, so both read 0. */
  recordBrokenRollback(before: BrokenRollout, actor: string, at: number, reason: string): void {
    this.sql.exec(
      'INSERT INTO rollout_transitions (rollout_id, at, actor, event, from_status, to_status, from_percent, to_percent, details) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)',
      before.id,
      at,
      actor,
      'rolled_back',
      before.status,
      'rolled_back',
      0,
      0,
      JSON.stringify({ type: 'rolled_back', manual: true, reason, broken: before.broken }),
    );
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
