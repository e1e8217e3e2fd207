import { givesUp, retryDelayMs } from '../core/notifications/retry';
import type { NotificationEvent, NotificationFormat } from '../core/schema/notifications';

/** One attempt of a delivery, as recorded. */
export interface DeliveryAttempt {
  at: string;
  /** The receiver's HTTP status, or null when none came (timeout, network error, no secret). */
  status: number | null;
  error: string | null;
  durationMs: number;
}

/** A delivery as the admin API shows it: the receiver's origin, never its full URL (a Slack URL is a credential). */
export interface DeliveryView {
  id: string;
  notification: string;
  origin: string;
  format: NotificationFormat;
  event: NotificationEvent;
  target: string;
  flag: string | null;
  status: 'pending' | 'delivered' | 'failed';
  attempts: number;
  createdAt: string;
  nextAttemptAt: string | null;
  deliveredAt: string | null;
  lastStatus: number | null;
  lastError: string | null;
  attemptLog: DeliveryAttempt[];
}

/** A delivery to enqueue: its body is final (the same bytes every attempt; only the signature's time changes). */
export interface NewDelivery {
  id: string;
  notification: string;
  url: string;
  format: NotificationFormat;
  event: NotificationEvent;
  auditId: number;
  target: string;
  flag: string | null;
  body: string;
}

/** A pending delivery as the sender takes it. */
export interface QueuedDelivery {
  seq: number;
  id: string;
  notification: string;
  url: string;
  event: NotificationEvent;
  body: string;
  attempts: number;
  createdAt: number;
}

/** What an attempt came to. */
export interface AttemptResult {
  ok: boolean;
  status: number | null;
  error: string | null;
  durationMs: number;
}

/** Finished deliveries are kept this long, and at most FINISHED_KEPT of them. */
const FINISHED_RETENTION_MS = 7 * 24 * 3600 * 1000;
const FINISHED_KEPT = 1000;

type Row = {
  seq: number;
  id: string;
  notification: string;
  url: string;
  format: string;
  event: string;
  target: string;
  flag: string | null;
  body: string;
  status: string;
  attempts: number;
  next_attempt_at: number;
  created_at: number;
  delivered_at: number | null;
  last_status: number | null;
  last_error: string | null;
  attempt_log: string;
};

/**
 * The notification_deliveries table: an outbox. Rows are written in the transaction of the
 * decision they report, so a committed decision always has its deliveries, and sent afterwards.
 * Each notification (receiver) gets its deliveries in order: only its oldest pending one is
 * attempted, so a later one never overtakes an earlier one that waits to retry.
 */
export class NotificationOutbox {
  private queued = false;

  /** `clock` is the object's own: deliveries are due by real time, not by a tick's scheduledTime. */
  constructor(
    private readonly storage: DurableObjectStorage,
    private readonly clock: () => number,
  ) {}

  private get sql(): SqlStorage {
    return this.storage.sql;
  }

  /** Adds deliveries, due at once; call inside the transaction of the decision. Prunes old finished rows. */
  enqueue(rows: readonly NewDelivery[]): void {
    const now = this.clock();
    for (const d of rows) {
      this.sql.exec(
        `INSERT INTO notification_deliveries (id, notification, url, format, event, audit_id, target, flag, body, status, attempts, next_attempt_at, created_at, attempt_log)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 'pending', 0, ?, ?, '[]')`,
        d.id,
        d.notification,
        d.url,
        d.format,
        d.event,
        d.auditId,
        d.target,
        d.flag,
        d.body,
        now,
        now,
      );
    }
    if (rows.length === 0) return;
    this.queued = true;
    this.sql.exec("DELETE FROM notification_deliveries WHERE status != 'pending' AND created_at < ?", now - FINISHED_RETENTION_MS);
    this.sql.exec(
      "DELETE FROM notification_deliveries WHERE status != 'pending' AND seq NOT IN (SELECT seq FROM notification_deliveries WHERE status != 'pending' ORDER BY seq DESC LIMIT ?)",
      FINISHED_KEPT,
    );
  }

  /** Arms the alarm for deliveries enqueued since the last call; call right after the commit, before any await. */
  armIfQueued(): void {
    if (!this.queued) return;
    this.queued = false;
    void this.arm();
  }

  /** Sets the alarm to the earliest due delivery unless an earlier alarm is already set (a pending publish keeps its own). */
  async arm(): Promise<void> {
    const due = this.nextDueAt();
    if (due === null) return;
    const current = await this.storage.getAlarm();
    if (current === null || due < current) await this.storage.setAlarm(due);
  }

  /** The oldest pending delivery of each notification, when it is due. */
  dueHeads(now: number): QueuedDelivery[] {
    return this.heads()
      .filter((r) => r.next_attempt_at <= now)
      .map((r) => ({
        seq: r.seq,
        id: r.id,
        notification: r.notification,
        url: r.url,
        event: r.event as NotificationEvent,
        body: r.body,
        attempts: r.attempts,
        createdAt: r.created_at,
      }));
  }

  /** When the next delivery is due, or null when none is pending. */
  nextDueAt(): number | null {
    const heads = this.heads();
    return heads.length === 0 ? null : Math.min(...heads.map((r) => r.next_attempt_at));
  }

  private heads(): Row[] {
    return this.sql
      .exec<Row>(
        `SELECT d.* FROM notification_deliveries d
         JOIN (SELECT notification, MIN(seq) AS seq FROM notification_deliveries WHERE status = 'pending' GROUP BY notification) h ON d.seq = h.seq`,
      )
      .toArray();
  }

  /**
   * Counts an attempt before it is made and moves the next one to its backoff, so an attempt cut
   * short by an eviction still counts, and is retried then (recorded as interrupted). Returns the
   * attempt's number.
   */
  begin(d: QueuedDelivery, now: number): number {
    const attempt = d.attempts + 1;
    this.storage.transactionSync(() => {
      const row = this.sql.exec<{ attempt_log: string }>('SELECT attempt_log FROM notification_deliveries WHERE seq = ?', d.seq).one();
      const log = JSON.parse(row.attempt_log) as DeliveryAttempt[];
      if (log.length < d.attempts) {
        log.push({ at: new Date(now).toISOString(), status: null, error: 'interrupted: the coordinator restarted during the attempt', durationMs: 0 });
      }
      this.sql.exec(
        'UPDATE notification_deliveries SET attempts = ?, next_attempt_at = ?, attempt_log = ? WHERE seq = ?',
        attempt,
        now + retryDelayMs(attempt),
        JSON.stringify(log),
        d.seq,
      );
    });
    return attempt;
  }

  /** Records an attempt's result: delivered, retried after its backoff, or given up. Returns the new status. */
  finish(d: QueuedDelivery, attempt: number, startedAt: number, result: AttemptResult, now: number): 'delivered' | 'pending' | 'failed' {
    const status = result.ok ? 'delivered' : givesUp(attempt, d.createdAt, now) ? 'failed' : 'pending';
    this.storage.transactionSync(() => {
      const row = this.sql.exec<{ attempt_log: string }>('SELECT attempt_log FROM notification_deliveries WHERE seq = ?', d.seq).one();
      const log = JSON.parse(row.attempt_log) as DeliveryAttempt[];
      log.push({ at: new Date(startedAt).toISOString(), status: result.status, error: result.error, durationMs: result.durationMs });
      this.sql.exec(
        'UPDATE notification_deliveries SET status = ?, next_attempt_at = ?, delivered_at = ?, last_status = ?, last_error = ?, attempt_log = ? WHERE seq = ?',
        status,
        // The backoff counts from the attempt's end: a receiver that takes its whole timeout is not retried at once.
        now + retryDelayMs(attempt),
        result.ok ? now : null,
        result.status,
        result.error,
        JSON.stringify(log),
        d.seq,
      );
    });
    return status;
  }

  /** Recent deliveries, newest first; `failed` keeps only those given up or whose last attempt failed. */
  list(options: { failed: boolean; limit: number }): DeliveryView[] {
    const where = options.failed ? "WHERE status = 'failed' OR (status = 'pending' AND last_error IS NOT NULL)" : '';
    return this.sql
      .exec<Row>(`SELECT * FROM notification_deliveries ${where} ORDER BY seq DESC LIMIT ?`, options.limit)
      .toArray()
      .map((r) => ({
        id: r.id,
        notification: r.notification,
        origin: originOf(r.url),
        format: r.format as NotificationFormat,
        event: r.event as NotificationEvent,
        target: r.target,
        flag: r.flag,
        status: r.status as DeliveryView['status'],
        attempts: r.attempts,
        createdAt: new Date(r.created_at).toISOString(),
        nextAttemptAt: r.status === 'pending' ? new Date(r.next_attempt_at).toISOString() : null,
        deliveredAt: r.delivered_at === null ? null : new Date(r.delivered_at).toISOString(),
        lastStatus: r.last_status,
        lastError: r.last_error,
        attemptLog: JSON.parse(r.attempt_log) as DeliveryAttempt[],
      }));
  }
}

function originOf(url: string): string {
  try {
    return new URL(url).origin;
  } catch {
    return '(invalid URL)';
  }
}
