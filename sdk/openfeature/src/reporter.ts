import { MAX_REPORTS_PER_BATCH } from '../../../src/core/metrics/report-bounds';
import { type Aggregate, Aggregates, toWire, type WireReport } from './aggregates';
import { backoffMs, sendBatch, type SendResult } from './send-batch';

export interface ReporterOptions {
  /** Rollgate's base URL, e.g. `https://flags.example.com`; reports go to `<url>/v1/metrics`. */
  url: string;
  /** A client key with the `report` scope (a server-side secret). */
  key: string;
  /** How often buffered reports are sent (default 10 s). */
  flushIntervalMs?: number;
  /** The most (flag, variant, minute) aggregates held at once (default 2,000; ≤ ~13 KiB each, ~1 KiB with 30 latency bins); past it the oldest is dropped and counted. */
  maxBufferedReports?: number;
  /** Reports per POST, 1 to 1,000 (the server's limit; default 1,000). */
  maxBatchReports?: number;
  /** Bytes of JSON per POST (default 3 MiB; the server refuses bodies over 4 MiB). */
  maxBatchBytes?: number;
  /** false: no interval timer (Workers); call `flushIfDue()` or `flush()` yourself (the Hono middleware does). Default true. */
  timers?: boolean;
  /** First retry delay and its ceiling (defaults 1 s and 60 s); doubled per failed attempt, with jitter. */
  retry?: { baseMs?: number; maxMs?: number };
  /** Timeout of one POST (default 10 s). */
  requestTimeoutMs?: number;
  /** How long `close()` keeps trying to send what is left (default 5 s). */
  closeTimeoutMs?: number;
  fetch?: typeof fetch;
  /** The clock (ms since the epoch); default Date.now. */
  now?: () => number;
  /** Jitter source in [0, 1); default Math.random. */
  random?: () => number;
  /** Told about every failed POST (never throws into the reporter). */
  onError?: (event: ReporterError) => void;
}

export interface ReporterError {
  /** `retry`: kept and sent later; `rejected`: refused by the server (4xx other than 429), dropped. */
  kind: 'retry' | 'rejected';
  status: number | null;
  message: string;
  reports: number;
}

/** Counters since the reporter was made. "Requests" are recorded calls; "reports" are (flag, variant, minute) aggregates. */
export interface ReporterStats {
  recorded: number;
  /** record() calls ignored: invalid names, or after close(). */
  ignored: number;
  sentReports: number;
  sentRequests: number;
  batches: number;
  failedAttempts: number;
  rejectedReports: number;
  rejectedRequests: number;
  droppedReports: number;
  droppedRequests: number;
  expiredReports: number;
  expiredRequests: number;
  pendingReports: number;
  pendingRequests: number;
  /** When the next attempt may run after a failure (ms since the epoch), or null. */
  retryAt: number | null;
  lastError: string | null;
}

/** What one request did: whether it failed, and how long it took. */
export interface Outcome {
  error?: boolean;
  latencyMs?: number;
}

/** Batches are cut below the server's 4 MiB body limit (MAX_METRICS_BODY_BYTES), with room for the envelope. */
const MAX_BATCH_BYTES = 3 * 1024 * 1024;

/**
 * Aggregates per (flag, variant, minute) what an application's requests did and posts the reports
 * to Rollgate's POST /v1/metrics in batches. record() is synchronous and O(1), never throws and never
 * waits on the network; sending happens on a timer (unref'd in Node) or when the caller asks.
 */
export class Reporter {
  private readonly buffer: Aggregates;
  private readonly o: Required<Omit<ReporterOptions, 'retry' | 'onError' | 'fetch'>> & { baseMs: number; maxMs: number };
  private readonly fetchFn: typeof fetch;
  private readonly onError: ((e: ReporterError) => void) | undefined;
  private readonly endpoint: string;
  private timer: ReturnType<typeof setInterval> | null = null;
  private chain: Promise<void> = Promise.resolve();
  private queued = false;
  private attempt = 0;
  private retryAt: number | null = null;
  private lastFlushAt: number;
  private closed = false;
  private readonly counts = {
    recorded: 0,
    ignored: 0,
    sentReports: 0,
    sentRequests: 0,
    batches: 0,
    failedAttempts: 0,
    rejectedReports: 0,
    rejectedRequests: 0,
  };
  private lastError: string | null = null;

  constructor(options: ReporterOptions) {
    this.o = {
      url: options.url,
      key: options.key,
      flushIntervalMs: positive(options.flushIntervalMs, 10_000),
      maxBufferedReports: positive(options.maxBufferedReports, 2000),
      maxBatchReports: Math.min(MAX_REPORTS_PER_BATCH, positive(options.maxBatchReports, MAX_REPORTS_PER_BATCH)),
      maxBatchBytes: Math.min(MAX_BATCH_BYTES, positive(options.maxBatchBytes, MAX_BATCH_BYTES)),
      timers: options.timers ?? true,
      baseMs: positive(options.retry?.baseMs, 1000),
      maxMs: positive(options.retry?.maxMs, 60_000),
      requestTimeoutMs: positive(options.requestTimeoutMs, 10_000),
      closeTimeoutMs: positive(options.closeTimeoutMs, 5000),
      now: options.now ?? Date.now,
      random: options.random ?? Math.random,
    };
    this.fetchFn = options.fetch ?? ((input, init) => fetch(input, init));
    this.onError = options.onError;
    this.endpoint = `${options.url.replace(/\/+$/, '')}/v1/metrics`;
    this.buffer = new Aggregates(this.o.maxBufferedReports);
    this.lastFlushAt = this.o.now();
    if (this.o.timers) {
      this.timer = setInterval(() => void this.flush(), this.o.flushIntervalMs);
      // Node: the timer must not keep the process alive (Workers' and browsers' timers have no unref).
      (this.timer as { unref?: () => void }).unref?.();
    }
  }

  /** Counts one request of `variant` of `flag`. Never throws, never blocks. */
  record(flag: string, variant: string, outcome: Outcome = {}): void {
    try {
      const error = outcome?.error === true;
      if (this.closed || !this.buffer.add(flag, variant, this.o.now(), error, outcome?.latencyMs)) {
        this.counts.ignored++;
        return;
      }
      this.counts.recorded++;
      // A full batch goes out at once rather than waiting for the interval (memory stays small).
      if (this.o.timers && this.buffer.size >= this.o.maxBatchReports && this.retryAt === null) void this.flush();
    } catch {
      this.counts.ignored++;
    }
  }

  /** Sends what is buffered (unless waiting out a retry delay). Resolves when done; never rejects. */
  flush(): Promise<void> {
    // One flush waiting behind the one in flight is enough: it will send whatever is buffered when it starts.
    if (this.queued) return this.chain;
    this.queued = true;
    this.chain = this.chain
      .then(() => {
        this.queued = false;
        return this.flushOnce(false);
      })
      .catch(() => undefined);
    return this.chain;
  }

  /** Workers: a flush when the interval has passed and something is buffered (give it to `waitUntil`), else null. */
  flushIfDue(): Promise<void> | null {
    const now = this.o.now();
    if (this.buffer.size === 0 || now - this.lastFlushAt < this.o.flushIntervalMs || (this.retryAt !== null && now < this.retryAt)) return null;
    this.lastFlushAt = now;
    return this.flush();
  }

  /** Stops the timer and sends what is left, retrying until `closeTimeoutMs`. Later record() calls are ignored. */
  async close(): Promise<void> {
    this.closed = true;
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    const deadline = this.o.now() + this.o.closeTimeoutMs;
    await this.chain;
    while (this.buffer.size > 0) {
      const wait = this.retryAt === null ? 0 : this.retryAt - this.o.now();
      if (this.o.now() + wait >= deadline) break;
      if (wait > 0) await new Promise((r) => setTimeout(r, wait));
      this.chain = this.flushOnce(true).catch(() => undefined);
      await this.chain;
    }
  }

  stats(): ReporterStats {
    return {
      ...this.counts,
      droppedReports: this.buffer.dropped.reports,
      droppedRequests: this.buffer.dropped.requests,
      expiredReports: this.buffer.expired.reports,
      expiredRequests: this.buffer.expired.requests,
      pendingReports: this.buffer.size,
      pendingRequests: this.buffer.pendingRequests(),
      retryAt: this.retryAt,
      lastError: this.lastError,
    };
  }

  private async flushOnce(ignoreDelay: boolean): Promise<void> {
    const now = this.o.now();
    this.lastFlushAt = now;
    if (!ignoreDelay && this.retryAt !== null && now < this.retryAt) return;
    const all = this.buffer.takeAll(now);
    const batches = cut(all, now, this.o.maxBatchReports, this.o.maxBatchBytes);
    for (let i = 0; i < batches.length; i++) {
      const { result, rest } = await this.sendWithBadOnesDropped(batches[i]!, now);
      if (result.kind === 'retry') {
        this.counts.failedAttempts++;
        this.attempt++;
        const delay = Math.max(result.retryAfterMs ?? 0, backoffMs(this.attempt, this.o.baseMs, this.o.maxMs, this.o.random()));
        this.retryAt = this.o.now() + delay;
        this.buffer.putBack([...rest, ...batches.slice(i + 1).flat()].map((r) => r.aggregate));
        this.report({ kind: 'retry', status: result.status, message: result.message, reports: rest.length });
        return;
      }
      this.attempt = 0;
      this.retryAt = null;
    }
  }

  /** Posts one batch; after a 422 naming some reports, drops those and posts the rest once more. */
  private async sendWithBadOnesDropped(batch: Pending[], now: number): Promise<{ result: SendResult; rest: Pending[] }> {
    let rest = batch;
    for (let round = 0; round < 2 && rest.length > 0; round++) {
      const result = await sendBatch(
        rest.map((r) => r.wire),
        { fetch: this.fetchFn, endpoint: this.endpoint, key: this.o.key, timeoutMs: this.o.requestTimeoutMs, now: () => now },
      );
      if (result.kind === 'accepted') {
        this.counts.batches++;
        this.counts.sentReports += rest.length;
        for (const r of rest) this.counts.sentRequests += r.wire.count;
        return { result, rest: [] };
      }
      if (result.kind === 'retry') return { result, rest };
      const bad = round === 0 && result.badIndexes ? new Set(result.badIndexes) : null;
      const refused = bad ? rest.filter((_, i) => bad.has(i)) : rest;
      this.counts.failedAttempts++;
      this.counts.rejectedReports += refused.length;
      for (const r of refused) this.counts.rejectedRequests += r.wire.count;
      this.report({ kind: 'rejected', status: result.status, message: result.message, reports: refused.length });
      rest = bad ? rest.filter((_, i) => !bad.has(i)) : [];
    }
    return { result: { kind: 'accepted' }, rest: [] };
  }

  private report(e: ReporterError): void {
    this.lastError = `${e.kind}: ${e.message}`;
    try {
      this.onError?.(e);
    } catch {
      // A throwing callback must not break reporting.
    }
  }
}

interface Pending {
  aggregate: Aggregate;
  wire: WireReport;
}

/** Splits reports into batches of at most `max` reports and `maxBytes` of JSON. */
function cut(all: readonly Aggregate[], now: number, max: number, maxBytes: number): Pending[][] {
  const batches: Pending[][] = [];
  let current: Pending[] = [];
  let bytes = 0;
  for (const aggregate of all) {
    const wire = toWire(aggregate, now);
    const size = JSON.stringify(wire).length + 1;
    if (current.length > 0 && (current.length >= max || bytes + size > maxBytes)) {
      batches.push(current);
      current = [];
      bytes = 0;
    }
    current.push({ aggregate, wire });
    bytes += size;
  }
  if (current.length > 0) batches.push(current);
  return batches;
}

function positive(value: number | undefined, fallback: number): number {
  return typeof value === 'number' && Number.isFinite(value) && value > 0 ? Math.floor(value) : fallback;
}
