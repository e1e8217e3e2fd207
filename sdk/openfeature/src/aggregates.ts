import { MAX_AGE_MS, MAX_BIN, MAX_LATENCY_MS, MAX_REPORT_COUNT } from '../../../src/core/metrics/report-bounds';
import { binOf, mergeInto } from '../../../src/core/metrics/sketch';

/** One report as POST /v1/metrics takes it. */
export interface WireReport {
  flag: string;
  variant: string;
  timestamp: number;
  count: number;
  errors: number;
  latencyMs: { bins: Record<string, number> };
}

/** What one (flag, variant, minute) did so far. */
export interface Aggregate {
  flag: string;
  variant: string;
  minute: number;
  /** When the last request of the aggregate was recorded: the report's timestamp (end of its interval, inside its minute). */
  lastAt: number;
  count: number;
  errors: number;
  /** Bin index → count; a Map, so no key ever reads through a prototype. */
  bins: Map<number, number>;
}

/** What the buffer threw away, in reports (aggregates) and in the requests they held. */
export interface Dropped {
  reports: number;
  requests: number;
}

/** Names longer than the server accepts (256) are refused there; they are not recorded at all. */
const MAX_NAME_CHARS = 256;
/** Reports this close to the server's 15-minute limit are dropped before sending rather than refused. */
const EXPIRY_MARGIN_MS = 30_000;

function keyOf(flag: string, variant: string, minute: number): string {
  // NUL cannot appear in a JSON-borne flag name a user would write, and names are length-checked.
  return `${flag}\u0000${variant}\u0000${minute}`;
}

/**
 * Per-(flag, variant, minute) aggregates, bounded: at most `max` at once; a new one past the bound
 * evicts the oldest (insertion order), which is counted. Takes time as an argument; no clock.
 */
export class Aggregates {
  private readonly byKey = new Map<string, Aggregate>();
  readonly dropped: Dropped = { reports: 0, requests: 0 };
  /** Aggregates that expired before they could be sent (older than the server accepts). */
  readonly expired: Dropped = { reports: 0, requests: 0 };
  /** Makes the keys of sealed (full) or put-back aggregates unique beside the live one of their minute. */
  private seq = 0;

  constructor(private readonly max: number) {}

  get size(): number {
    return this.byKey.size;
  }

  /** Requests held in the buffer. */
  pendingRequests(): number {
    let n = 0;
    for (const a of this.byKey.values()) n += a.count;
    return n;
  }

  /** Counts one request. Returns false (and records nothing) for names the server would refuse. */
  add(flag: string, variant: string, at: number, error: boolean, latencyMs: number | undefined): boolean {
    if (typeof flag !== 'string' || typeof variant !== 'string') return false;
    if (flag.length === 0 || variant.length === 0 || flag.length > MAX_NAME_CHARS || variant.length > MAX_NAME_CHARS) return false;
    const minute = Math.floor(at / 60_000) * 60_000;
    const key = keyOf(flag, variant, minute);
    let a = this.byKey.get(key);
    if (a && a.count >= MAX_REPORT_COUNT) {
      // A report holds at most 10^9 requests: seal this one under a fresh key (sent as its own report).
      this.byKey.delete(key);
      this.byKey.set(`${key}\u0000${this.seq++}`, a);
      a = undefined;
    }
    if (!a) {
      this.makeRoom();
      a = { flag, variant, minute, lastAt: at, count: 0, errors: 0, bins: new Map() };
      this.byKey.set(key, a);
    }
    a.count++;
    if (error) a.errors++;
    if (at > a.lastAt) a.lastAt = at;
    const bin = binForLatency(latencyMs);
    if (bin !== null) a.bins.set(bin, (a.bins.get(bin) ?? 0) + 1);
    return true;
  }

  /** Removes and returns every aggregate, oldest first, dropping (and counting) those too old to be accepted at `now`. */
  takeAll(now: number): Aggregate[] {
    const out: Aggregate[] = [];
    for (const a of this.byKey.values()) {
      if (a.lastAt < now - MAX_AGE_MS + EXPIRY_MARGIN_MS) {
        this.expired.reports++;
        this.expired.requests += a.count;
      } else out.push(a);
    }
    this.byKey.clear();
    return out;
  }

  /** Puts aggregates back (a batch that will be retried), merged with what arrived meanwhile; the bound still holds. */
  putBack(list: readonly Aggregate[]): void {
    for (const a of list) {
      const key = keyOf(a.flag, a.variant, a.minute);
      const present = this.byKey.get(key);
      if (present && present.count + a.count <= MAX_REPORT_COUNT) {
        present.count += a.count;
        present.errors += a.errors;
        present.lastAt = Math.max(present.lastAt, a.lastAt);
        for (const [bin, n] of a.bins) present.bins.set(bin, (present.bins.get(bin) ?? 0) + n);
      } else {
        this.makeRoom();
        this.byKey.set(present ? `${key}\u0000${this.seq++}` : key, a);
      }
    }
  }

  private makeRoom(): void {
    while (this.byKey.size >= this.max) {
      const oldest = this.byKey.entries().next().value;
      if (!oldest) return;
      this.byKey.delete(oldest[0]);
      this.dropped.reports++;
      this.dropped.requests += oldest[1].count;
    }
  }
}

/** The sketch bin of a latency, the server's own binOf; out-of-range values are clamped, unusable ones (NaN) give none. */
export function binForLatency(latencyMs: number | undefined): number | null {
  if (typeof latencyMs !== 'number' || Number.isNaN(latencyMs)) return null;
  if (latencyMs >= MAX_LATENCY_MS) return MAX_BIN;
  return binOf(Math.max(0, latencyMs));
}

/** The report POST /v1/metrics takes for an aggregate: its sketch in the server's bin format. */
export function toWire(a: Aggregate, now: number): WireReport {
  const bins: Record<string, number> = {};
  for (const [bin, n] of a.bins) bins[String(bin)] = n;
  // Through the server's own merge, which drops empty bins and anything it would not accept.
  const sketch = mergeInto({}, bins);
  return { flag: a.flag, variant: a.variant, timestamp: Math.min(a.lastAt, now), count: a.count, errors: a.errors, latencyMs: { bins: sketch } };
}
