import type { FlagOverrides } from '../core/flags/overrides';
import { KV_PROPAGATION_MS, MAX_SNAPSHOT_CHARS, type Snapshot } from '../core/schema/snapshot';
import { snapshotKey } from './keys';
import { type LoadedSnapshot, loadSnapshot } from './loaded-snapshot';
import { trustedSnapshotOf } from './snapshot-shape';

/** The part of a KV binding the store reads through. */
export type SnapshotKv = Pick<KVNamespace, 'get'>;

/** What the store needs from its surroundings. */
export interface SnapshotStoreOptions {
  /** Re-read KV at most this often per environment. */
  refreshMs: number;
  /** Break-glass overrides for an environment. */
  overrides: (environment: string) => FlagOverrides;
  /** The snapshot bundled at build time, served when KV never gave one. */
  fallback: (environment: string) => Snapshot | undefined;
  /** Structured operational log; never given secrets. */
  log: (event: Record<string, unknown>) => void;
}

/** Per-environment state of the memo. */
interface Entry {
  current: LoadedSnapshot | undefined;
  checkedAt: number;
  inflight: Promise<void> | undefined;
  lastError: string | undefined;
  /** Whether the last KV read threw (KV unreachable), as opposed to answering something unusable. */
  kvFailed: boolean;
  /** The last KV text refused, so an unchanged bad value is neither parsed nor logged again. */
  rejectedRaw: string | undefined;
  /**
   * Since when KV has answered only versions below the one served: a stale replica, or (after
   * KV_PROPAGATION_MS) what KV holds. Not reset by a newer lower version (a repair followed by
   * changes), only by KV answering the served text again.
   */
  older: { since: number } | undefined;
  /** The highest version the coordinator itself handed over (offer): KV answering below it is lag, not a repair. */
  confirmed: number;
}

/** What /health reports for an environment. */
export interface SnapshotStatus {
  environment: string;
  version: number | null;
  publishedAt: number | null;
  source: 'kv' | 'last-known-good' | 'fallback' | 'none';
  lastError: string | null;
}

/**
 * Per-isolate memo of compiled snapshots, keyed by environment and version. In steady state a
 * request reads no KV: the memo is re-checked at most every `refreshMs`, an unchanged value is
 * recognised by its text, and only a new version is parsed, validated and compiled. A KV error
 * or a garbage value keeps the last good snapshot; with none, the bundled fallback is served.
 * Nothing about one environment's value can throw out of the store: whatever goes wrong becomes
 * that environment's `lastError` (logged once per distinct error), so other environments, and
 * requests that only need them, never notice.
 */
export class SnapshotStore {
  private readonly entries = new Map<string, Entry>();

  constructor(private readonly options: SnapshotStoreOptions) {}

  /**
   * The snapshot for `environment` when the memo is fresh at `now`, without waiting: null when it
   * is fresh but the environment has nothing to serve; undefined when it must be re-read.
   */
  peek(environment: string, now: number): LoadedSnapshot | null | undefined {
    const entry = this.entries.get(environment);
    if (entry && this.fresh(entry, now)) return entry.current ?? null;
    return undefined;
  }

  /** Checked within the last `refreshMs` (a clock that went backwards counts as not fresh). */
  private fresh(entry: Entry, now: number): boolean {
    return now >= entry.checkedAt && now - entry.checkedAt < this.options.refreshMs;
  }

  private entryOf(environment: string): Entry {
    let entry = this.entries.get(environment);
    if (!entry) {
      entry = {
        current: undefined,
        checkedAt: Number.NEGATIVE_INFINITY,
        inflight: undefined,
        lastError: undefined,
        kvFailed: false,
        rejectedRaw: undefined,
        older: undefined,
        confirmed: -1,
      };
      this.entries.set(environment, entry);
    }
    return entry;
  }

  /** The version served for `environment` from KV or the coordinator, or -1. */
  servedVersion(environment: string): number {
    const cur = this.entries.get(environment)?.current;
    return cur && cur.source === 'kv' ? cur.version : -1;
  }

  /**
   * Installs snapshot text the coordinator handed over (the fast version check), through the same
   * bounds and validation as a KV value, when it is newer than what is served. True when installed.
   */
  offer(environment: string, raw: string, now: number): boolean {
    const entry = this.entryOf(environment);
    const before = entry.current;
    if (before?.raw === raw) return false;
    const reason = this.accept(raw, environment, entry, now);
    if (reason !== undefined) {
      this.options.log({ event: 'fast_snapshot_refused', environment, reason });
      return false;
    }
    if (entry.current === before) return false;
    entry.confirmed = Math.max(entry.confirmed, entry.current!.version);
    return true;
  }

  /** The snapshot to serve for `environment` at `now` (ms). */
  async get(kv: SnapshotKv, environment: string, now: number): Promise<LoadedSnapshot | undefined> {
    const entry = this.entryOf(environment);
    // An environment with nothing to serve is re-read no more often than one with a snapshot: its
    // KV value must not cost a read on every request of every environment.
    if (this.fresh(entry, now)) return entry.current;
    if (!entry.inflight) {
      const e = entry;
      // checkedAt moves only once the read is done, so requests that arrive meanwhile wait for it
      // instead of being answered from the snapshot being replaced.
      e.inflight = this.refreshSafely(kv, environment, e, now).finally(() => {
        e.checkedAt = now;
        e.inflight = undefined;
      });
    }
    await entry.inflight;
    return entry.current;
  }

  /** Health view of an environment, without touching KV. */
  status(environment: string): SnapshotStatus {
    const e = this.entries.get(environment);
    const cur = e?.current;
    let source: SnapshotStatus['source'] = 'none';
    if (cur?.source === 'fallback') source = 'fallback';
    else if (cur) source = e?.lastError ? 'last-known-good' : 'kv';
    return {
      environment,
      version: cur?.version ?? null,
      publishedAt: cur && cur.source === 'kv' ? cur.publishedAt : null,
      source,
      lastError: e?.lastError ?? null,
    };
  }

  /** False while the last KV read of this environment failed (KV unreachable, not a bad answer). */
  kvReachable(environment: string): boolean {
    return !this.entries.get(environment)?.kvFailed;
  }

  /** refresh(), with anything it throws (a bug, a RangeError, a compile failure) kept in this environment. */
  private async refreshSafely(kv: SnapshotKv, environment: string, entry: Entry, now: number): Promise<void> {
    try {
      await this.refresh(kv, environment, entry, now);
    } catch (err) {
      try {
        this.keepLastGood(entry, environment, `snapshot could not be loaded: ${errorText(err)}`);
      } catch (fallbackErr) {
        // Even the fallback failed to compile: serve what there is (possibly nothing), never throw.
        entry.lastError = `snapshot could not be loaded: ${errorText(err)}; fallback failed: ${errorText(fallbackErr)}`;
      }
    }
  }

  private async refresh(kv: SnapshotKv, environment: string, entry: Entry, now: number): Promise<void> {
    let raw: string | null;
    try {
      raw = await kv.get(snapshotKey(environment), 'text');
    } catch (err) {
      entry.kvFailed = true;
      return this.keepLastGood(entry, environment, `KV read failed: ${errorText(err)}`);
    }
    entry.kvFailed = false;
    if (raw === null) return this.keepLastGood(entry, environment, 'no snapshot published in KV');
    if (entry.current?.raw === raw) {
      entry.lastError = undefined;
      // KV answers what is served again: a lower version seen meanwhile was a stale replica.
      entry.older = undefined;
      return;
    }
    // The same bad text as last time: keep its error without parsing it again or logging it again.
    if (raw === entry.rejectedRaw && entry.lastError !== undefined) return;
    const reason = this.accept(raw, environment, entry, now);
    if (reason === undefined) {
      entry.rejectedRaw = undefined;
      entry.lastError = undefined;
      return;
    }
    this.keepLastGood(entry, environment, reason);
    // Set after keepLastGood: a fallback that fails to compile leaves no mark of this text, so it is retried.
    entry.rejectedRaw = raw;
  }

  /** Parses, bounds, checks and installs `raw`; returns why it was refused, or undefined. */
  private accept(raw: string, environment: string, entry: Entry, now: number): string | undefined {
    if (raw.length > MAX_SNAPSHOT_CHARS) return `snapshot in KV is larger than ${MAX_SNAPSHOT_CHARS} characters`;
    let json: unknown;
    try {
      json = JSON.parse(raw);
    } catch {
      return 'snapshot in KV is not JSON';
    }
    // The coordinator validated every flag; the edge checks the shape and the envelope, and each
    // flag is validated and compiled on its first use (snapshot-shape.ts, core/flags/lazy-flag.ts).
    const snapshot = trustedSnapshotOf(json);
    if (typeof snapshot === 'string') return snapshot;
    if (snapshot.$rollgate.environment !== environment) {
      return `snapshot in KV is for environment "${snapshot.$rollgate.environment}"`;
    }
    const cur = entry.current;
    // An older replica answered; versions only move forward, for as long as KV may take to
    // propagate. A lower version KV still answers after that is what it holds (the coordinator's
    // repair of a forged higher version, say): served, or a forgery would pin this isolate.
    if (cur && cur.source === 'kv' && snapshot.$rollgate.version < cur.version) {
      // The coordinator handed this version over itself: a lower one from KV is a lagging replica.
      if (entry.confirmed >= cur.version) return undefined;
      entry.older ??= { since: now };
      if (now - entry.older.since < KV_PROPAGATION_MS) return undefined;
      this.options.log({ event: 'snapshot_version_reset', environment, from: cur.version, to: snapshot.$rollgate.version, heldForMs: now - entry.older.since });
    }
    let loaded: ReturnType<typeof loadSnapshot>;
    try {
      loaded = loadSnapshot(snapshot, 'kv', this.options.overrides(environment), raw);
    } catch (err) {
      return `snapshot in KV could not be compiled: ${errorText(err)}`;
    }
    this.install(entry, loaded, environment);
    return undefined;
  }

  private install(entry: Entry, result: ReturnType<typeof loadSnapshot>, environment: string): void {
    entry.current = result.loaded;
    entry.older = undefined;
    for (const ignored of result.ignoredOverrides) {
      this.options.log({ event: 'override_ignored', environment, ...ignored });
    }
  }

  private keepLastGood(entry: Entry, environment: string, reason: string): void {
    if (reason !== entry.lastError) {
      this.options.log({ event: 'snapshot_unavailable', environment, reason, serving: entry.current ? 'last-known-good' : 'fallback' });
    }
    entry.lastError = reason;
    if (entry.current) return;
    const fallback = this.options.fallback(environment);
    if (fallback) this.install(entry, loadSnapshot(fallback, 'fallback', this.options.overrides(environment)), environment);
  }
}

/** An error's name and message, short enough for a log line and /health. */
function errorText(err: unknown): string {
  const text = err instanceof Error ? `${err.name}: ${err.message}` : String(err);
  return text.length > 200 ? `${text.slice(0, 200)}…` : text;
}
