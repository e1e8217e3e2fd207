import type { FlagOverrides } from '../core/flags/overrides';
import { type Snapshot, zSnapshot } from '../core/schema/snapshot';
import { snapshotKey } from './keys';
import { type LoadedSnapshot, loadSnapshot } from './loaded-snapshot';

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
 */
export class SnapshotStore {
  private readonly entries = new Map<string, Entry>();

  constructor(private readonly options: SnapshotStoreOptions) {}

  /** The snapshot for `environment` when the memo is fresh at `now`, without waiting; else undefined. */
  peek(environment: string, now: number): LoadedSnapshot | undefined {
    const entry = this.entries.get(environment);
    if (entry?.current && now >= entry.checkedAt && now - entry.checkedAt < this.options.refreshMs) return entry.current;
    return undefined;
  }

  /** The snapshot to serve for `environment` at `now` (ms). */
  async get(kv: SnapshotKv, environment: string, now: number): Promise<LoadedSnapshot | undefined> {
    let entry = this.entries.get(environment);
    if (!entry) {
      entry = { current: undefined, checkedAt: Number.NEGATIVE_INFINITY, inflight: undefined, lastError: undefined };
      this.entries.set(environment, entry);
    }
    if (entry.current && now >= entry.checkedAt && now - entry.checkedAt < this.options.refreshMs) return entry.current;
    if (!entry.inflight) {
      const e = entry;
      // checkedAt moves only once the read is done, so requests that arrive meanwhile wait for it
      // instead of being answered from the snapshot being replaced.
      e.inflight = this.refresh(kv, environment, e).finally(() => {
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

  private async refresh(kv: SnapshotKv, environment: string, entry: Entry): Promise<void> {
    let raw: string | null;
    try {
      raw = await kv.get(snapshotKey(environment), 'text');
    } catch (err) {
      return this.keepLastGood(entry, environment, `KV read failed: ${(err as Error).message}`);
    }
    if (raw === null) return this.keepLastGood(entry, environment, 'no snapshot published in KV');
    if (entry.current?.raw === raw) {
      entry.lastError = undefined;
      return;
    }
    let json: unknown;
    try {
      json = JSON.parse(raw);
    } catch {
      return this.keepLastGood(entry, environment, 'snapshot in KV is not JSON');
    }
    const parsed = zSnapshot.safeParse(json);
    if (!parsed.success) {
      const first = parsed.error.issues[0];
      return this.keepLastGood(entry, environment, `snapshot in KV is invalid at /${first?.path.join('/') ?? ''}: ${first?.message ?? ''}`);
    }
    const snapshot = parsed.data;
    if (snapshot.$rollgate.environment !== environment) {
      return this.keepLastGood(entry, environment, `snapshot in KV is for environment "${snapshot.$rollgate.environment}"`);
    }
    const cur = entry.current;
    if (cur && cur.source === 'kv' && snapshot.$rollgate.version < cur.version) {
      // An older replica answered; versions only move forward.
      entry.lastError = undefined;
      return;
    }
    this.install(entry, loadSnapshot(snapshot, 'kv', this.options.overrides(environment), raw), environment);
    entry.lastError = undefined;
  }

  private install(entry: Entry, result: ReturnType<typeof loadSnapshot>, environment: string): void {
    entry.current = result.loaded;
    for (const ignored of result.ignoredOverrides) {
      this.options.log({ event: 'override_ignored', environment, ...ignored });
    }
  }

  private keepLastGood(entry: Entry, environment: string, reason: string): void {
    entry.lastError = reason;
    this.options.log({ event: 'snapshot_unavailable', environment, reason, serving: entry.current ? 'last-known-good' : 'fallback' });
    if (entry.current) return;
    const fallback = this.options.fallback(environment);
    if (fallback) this.install(entry, loadSnapshot(fallback, 'fallback', this.options.overrides(environment)), environment);
  }
}
