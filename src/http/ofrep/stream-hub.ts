/** How an isolate runs OFREP event streams; tests pass small numbers. */
export interface StreamOptions {
  /** How often each stream compares its environment's version (ms). */
  tickMs: number;
  /** A comment is sent after this long without any write (ms), so proxies keep the stream open. */
  heartbeatMs: number;
  /** A stream ends itself after this long (ms), so connections rotate across isolates. */
  maxLifeMs: number;
  /** The reconnection delay hinted to clients with `retry:` (ms). */
  retryMs: number;
  /** Open streams per isolate, and per client key per isolate. */
  maxPerIsolate: number;
  maxPerKey: number;
}

export const DEFAULT_STREAM_OPTIONS: StreamOptions = {
  tickMs: 1000,
  heartbeatMs: 15_000,
  maxLifeMs: 10 * 60_000,
  retryMs: 2000,
  maxPerIsolate: 2000,
  maxPerKey: 200,
};

/** Counts an isolate's open streams, in total and per key id, and refuses past the bounds. */
export class StreamHub {
  private total = 0;
  private readonly perKey = new Map<string, number>();

  constructor(readonly options: StreamOptions) {}

  /** Takes a slot for `keyId`; false when the isolate or the key is full. */
  acquire(keyId: string): boolean {
    const mine = this.perKey.get(keyId) ?? 0;
    if (this.total >= this.options.maxPerIsolate || mine >= this.options.maxPerKey) return false;
    this.total++;
    this.perKey.set(keyId, mine + 1);
    return true;
  }

  /** Gives back a slot taken by acquire(). */
  release(keyId: string): void {
    const mine = this.perKey.get(keyId) ?? 0;
    if (mine <= 1) this.perKey.delete(keyId);
    else this.perKey.set(keyId, mine - 1);
    if (this.total > 0) this.total--;
  }

  /** Open streams, in total and for one key id. */
  open(keyId?: string): number {
    return keyId === undefined ? this.total : (this.perKey.get(keyId) ?? 0);
  }
}
