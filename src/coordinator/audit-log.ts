import * as z from '../core/schema/zod';

/** One audit entry as the admin API returns it. */
export const zAuditEntry = z.object({
  id: z.number(),
  at: z.string(),
  actor: z.string(),
  environment: z.string(),
  action: z.string(),
  target: z.string(),
  reason: z.nullable(z.string()),
  diff: z.unknown(),
});
export type AuditEntry = z.infer<typeof zAuditEntry>;

/** What a caller records; the log adds id and time. */
export interface AuditRecord {
  actor: string;
  action: string;
  target: string;
  /** Flags the entry concerns, for filtering by flag. */
  flags: readonly string[];
  reason?: string | null | undefined;
  diff: unknown;
}

/** Which entries a page holds; every filter is optional, and the filters combine. */
export interface AuditQuery {
  cursor?: string | undefined;
  limit: number;
  flag?: string | undefined;
  action?: string | undefined;
  actor?: string | undefined;
  /** Entries at or after this instant (ms since the epoch). */
  since?: number | undefined;
  /** Entries before this instant (ms since the epoch). */
  until?: number | undefined;
}

/** A page of the log, newest first. */
export interface AuditPage {
  entries: AuditEntry[];
  /** Pass back as `cursor` for the next (older) page; null at the end. */
  nextCursor: string | null;
}

/** The audit log table: append-only, paged newest first by id. */
export class AuditLog {
  /** `onAppend` runs inside the entry's transaction (the notification outbox enqueues there); it must not throw. */
  constructor(
    private readonly sql: SqlStorage,
    private readonly environment: () => string,
    private readonly onAppend: (id: number, at: number, r: AuditRecord) => void = () => undefined,
  ) {}

  /** Appends an entry; call inside the transaction of the change it records. */
  append(at: number, r: AuditRecord): void {
    const cursor = this.sql.exec<{ id: number }>(
      'INSERT INTO audit_log (at, actor, action, target, flags, reason, diff) VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id',
      at,
      r.actor,
      r.action,
      r.target,
      `,${r.flags.map(flagToken).join(',')},`,
      r.reason ?? null,
      JSON.stringify(r.diff ?? null),
    );
    this.onAppend(cursor.one().id, at, r);
  }

  /** A page of entries older than `cursor`, optionally only for one flag, action or actor, and within [since, until) (ms). */
  page(options: AuditQuery): AuditPage {
    const where: string[] = [];
    const args: (string | number)[] = [];
    if (options.cursor) {
      where.push('id < ?');
      args.push(Number(options.cursor));
    }
    if (options.flag) {
      where.push('instr(flags, ?) > 0');
      args.push(`,${flagToken(options.flag)},`);
    }
    if (options.action) {
      where.push('action = ?');
      args.push(options.action);
    }
    if (options.actor) {
      where.push('actor = ?');
      args.push(options.actor);
    }
    if (options.since !== undefined) {
      where.push('at >= ?');
      args.push(options.since);
    }
    if (options.until !== undefined) {
      where.push('at < ?');
      args.push(options.until);
    }
    const rows = this.sql
      .exec<{ id: number; at: number; actor: string; action: string; target: string; reason: string | null; diff: string }>(
        `SELECT id, at, actor, action, target, reason, diff FROM audit_log ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY id DESC LIMIT ?`,
        ...args,
        options.limit + 1,
      )
      .toArray();
    const more = rows.length > options.limit;
    const entries = rows.slice(0, options.limit).map((r) => ({
      id: r.id,
      at: new Date(r.at).toISOString(),
      actor: r.actor,
      environment: this.environment(),
      action: r.action,
      target: r.target,
      reason: r.reason,
      diff: JSON.parse(r.diff) as unknown,
    }));
    return { entries, nextCursor: more ? String(entries[entries.length - 1]!.id) : null };
  }
}

/**
 * A flag key as it stands in the `flags` column (`,a,b,`): `%` and `,` percent-encoded, so a key
 * that contains a comma ("x,new-checkout") can neither match nor be matched by another key's
 * filter. Rows written before this encoding hold such keys raw; only their filtering is affected.
 */
function flagToken(flag: string): string {
  return flag.replace(/%/g, '%25').replace(/,/g, '%2C');
}
