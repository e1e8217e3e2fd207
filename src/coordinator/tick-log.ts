import type { Meta } from './meta';

/** How long applied tick times are remembered: far longer than any cron retry. */
const TICK_RETENTION_MS = 2 * 24 * 3600 * 1000;

/** How far a tick's scheduledTime may run ahead of the object's own clock (the cron's is at most seconds off). */
export const MAX_TICK_LEAD_MS = 2 * 60 * 1000;

/** Why a tick time must change nothing though it is no duplicate. */
export interface TickRefusal {
  reason: 'older' | 'ahead' | 'invalid';
  message: string;
}

/**
 * The ticks a coordinator applied (table processed_ticks, and meta last_tick_at): each
 * scheduledTime is applied once, and tick time only moves forward.
 */
export class TickLog {
  constructor(
    private readonly sql: SqlStorage,
    private readonly meta: Meta,
  ) {}

  /** True when a tick at exactly `t` was applied. */
  seen(t: number): boolean {
    return this.sql.exec('SELECT 1 FROM processed_ticks WHERE scheduled_time = ?', t).toArray().length > 0;
  }

  /** The latest applied tick time, or -Infinity before the first. */
  last(): number {
    return this.meta.num('last_tick_at', Number.NEGATIVE_INFINITY);
  }

  /** Records a tick as applied (inside the tick's transaction) and forgets ticks past retention. */
  record(t: number): void {
    this.sql.exec('INSERT INTO processed_ticks (scheduled_time, processed_at) VALUES (?, ?)', t, t);
    this.sql.exec('DELETE FROM processed_ticks WHERE scheduled_time < ?', t - TICK_RETENTION_MS);
    this.meta.set('last_tick_at', t);
  }

  /**
   * Why a tick at `t` must be refused given the object's `clock`, or null. A time that is not a
   * whole number of ms would be stored as last_tick_at and turn off the "older tick" guard for good
   * (every comparison with NaN is false); one far ahead would freeze every later tick.
   */
  refusal(t: number, clock: number): TickRefusal | null {
    if (!Number.isSafeInteger(t) || t < 0) return { reason: 'invalid', message: `scheduledTime ${String(t)} is not a time in ms since the epoch` };
    if (t > clock + MAX_TICK_LEAD_MS)
      return { reason: 'ahead', message: `scheduledTime ${t} is ${t - clock} ms ahead of the coordinator's clock (at most ${MAX_TICK_LEAD_MS} ms)` };
    return null;
  }
}
