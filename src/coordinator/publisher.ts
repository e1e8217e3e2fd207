import type { Snapshot } from '../core/schema/snapshot';
import { sha256Hex } from '../core/sha256';
import { snapshotKey } from '../store/keys';
import { inspectKvSnapshot, repairFloor, type RepairFinding } from './kv-check';
import type { Meta } from './meta';

/** KV allows one write per second per key; bursts of changes coalesce into one publish. */
export const MIN_PUBLISH_INTERVAL_MS = 1000;
const MAX_BACKOFF_MS = 60_000;

/** What a publish attempt did. */
export type PublishResult =
  | { status: 'published'; version: number }
  | { status: 'up-to-date'; version: number }
  | { status: 'deferred'; until: number }
  | { status: 'failed'; error: string; retryAt: number };

/** What checking KV against the coordinator did. */
export type ConvergeResult =
  | { status: 'nothing-published' | 'in-sync' | 'propagating' }
  | { status: 'unreadable'; error: string }
  | { status: 'repaired'; found: RepairFinding; version: number; publish: PublishResult };

/** KV's shortest read cache: a repair check should not read its own minute-old copy. */
const CHECK_CACHE_TTL_SECONDS = 30;

/** Where and how the publisher writes; tests swap `kv` to inject failures. */
export interface PublisherDeps {
  storage: DurableObjectStorage;
  meta: Meta;
  kv: () => Pick<KVNamespace, 'put'>;
  /** Where `converge` reads what KV holds. */
  read: () => Pick<KVNamespace, 'get'>;
  environment: () => string;
  /** Builds the snapshot of the current committed state at `version`. */
  build: (version: number, now: number) => Snapshot;
  clock: () => number;
}

/**
 * Publishes the environment's snapshot to KV after committed changes. SQLite holds the truth:
 * `markDirty` bumps the snapshot sequence inside the change's transaction and an alarm is armed
 * before any await, so a publish lost to eviction or a KV error is redone by the alarm.
 */
export class Publisher {
  private chain: Promise<unknown> = Promise.resolve();
  /** The text last written to KV, for isolates' fast version check (in memory: lost on eviction, refilled by the next publish). */
  private written: { version: number; text: string } | undefined;

  constructor(private readonly deps: PublisherDeps) {}

  /** Bumps the snapshot sequence; call inside the transaction that changed published state. */
  markDirty(): number {
    const seq = this.deps.meta.num('snapshot_seq') + 1;
    this.deps.meta.set('snapshot_seq', seq);
    return seq;
  }

  /** Arms the alarm that guarantees a pending publish happens; call right after the commit. */
  armAlarm(): void {
    const last = this.deps.meta.num('last_publish_at', Number.NEGATIVE_INFINITY);
    void this.deps.storage.setAlarm(Math.max(this.deps.clock(), last + MIN_PUBLISH_INTERVAL_MS));
  }

  /** The version last published and, when this object still holds it, the text written to KV. */
  latest(): { version: number; text: string | null } {
    const version = this.deps.meta.num('published_version');
    return { version, text: this.written?.version === version ? this.written.text : null };
  }

  /** The sequence committed and the one in KV. */
  versions(): { committed: number; published: number } {
    return { committed: this.deps.meta.num('snapshot_seq'), published: this.deps.meta.num('published_version') };
  }

  /**
   * Publishes the latest state if it is not in KV yet; one KV write at a time, in order. The
   * one-write-per-second limit is about real time, so it runs on the object's own clock, not on
   * the caller's `now` (a cron's scheduledTime may be in the past or, by hand, in the future).
   */
  publish(): Promise<PublishResult> {
    const run = this.chain.then(() => this.publishOnce(this.deps.clock()));
    this.chain = run.catch(() => undefined);
    return run;
  }

  /**
   * Checks that KV holds what the coordinator last wrote (by SHA-256 of the text) and, when it
   * does not (missing, garbage, a forged or stale value), bumps the snapshot sequence above any
   * version found there (up to MAX_REPAIR_CHASE_VERSION; see repairFloor) and publishes, so
   * isolates pinned to a forged version move on. `onRepair`
   * runs inside the transaction of the bump (to audit it). Nothing to check before a first publish:
   * the edge then serves its bundled snapshot, which the coordinator has no better answer to.
   */
  converge(onRepair: (found: RepairFinding, version: number) => void): Promise<ConvergeResult> {
    const run = this.chain.then(() => this.convergeOnce(onRepair));
    this.chain = run.catch(() => undefined);
    return run;
  }

  private async convergeOnce(onRepair: (found: RepairFinding, version: number) => void): Promise<ConvergeResult> {
    const { meta } = this.deps;
    if (meta.num('snapshot_seq') === 0) return { status: 'nothing-published' };
    let raw: string | null;
    try {
      raw = await this.deps.read().get(snapshotKey(this.deps.environment()), { type: 'text', cacheTtl: CHECK_CACHE_TTL_SECONDS });
    } catch (err) {
      return { status: 'unreadable', error: (err as Error).message || 'KV get failed' };
    }
    const finding = await inspectKvSnapshot(raw, {
      hash: meta.get('published_hash', ''),
      version: meta.num('published_version'),
      lastPublishAt: meta.num('last_publish_at', Number.NEGATIVE_INFINITY),
      now: this.deps.clock(),
    });
    if (finding.kind === 'in-sync' || finding.kind === 'propagating') return { status: finding.kind };
    let version = 0;
    this.deps.storage.transactionSync(() => {
      version = Math.max(meta.num('snapshot_seq'), repairFloor(finding)) + 1;
      meta.set('snapshot_seq', version);
      onRepair(finding, version);
    });
    this.armAlarm();
    return { status: 'repaired', found: finding, version, publish: await this.publishOnce(this.deps.clock()) };
  }

  private async publishOnce(now: number): Promise<PublishResult> {
    const { meta } = this.deps;
    const { committed, published } = this.versions();
    if (published >= committed) return { status: 'up-to-date', version: published };
    const last = meta.num('last_publish_at', Number.NEGATIVE_INFINITY);
    if (now - last < MIN_PUBLISH_INTERVAL_MS) {
      const until = last + MIN_PUBLISH_INTERVAL_MS;
      await this.deps.storage.setAlarm(until);
      return { status: 'deferred', until };
    }
    const text = JSON.stringify(this.deps.build(committed, now));
    const hash = await sha256Hex(text);
    meta.set('last_publish_at', now);
    try {
      await this.deps.kv().put(snapshotKey(this.deps.environment()), text);
    } catch (err) {
      const attempts = meta.num('publish_attempts') + 1;
      const error = (err as Error).message || 'KV put failed';
      meta.set('publish_attempts', attempts);
      meta.set('publish_error', error);
      const retryAt = this.deps.clock() + Math.min(MAX_BACKOFF_MS, MIN_PUBLISH_INTERVAL_MS * 2 ** (attempts - 1));
      await this.deps.storage.setAlarm(retryAt);
      return { status: 'failed', error, retryAt };
    }
    meta.set('published_version', Math.max(committed, meta.num('published_version')));
    meta.set('published_hash', hash);
    if (committed >= meta.num('published_version')) this.written = { version: committed, text };
    meta.set('publish_attempts', 0);
    meta.set('publish_error', '');
    if (meta.num('snapshot_seq') > committed) this.armAlarm();
    return { status: 'published', version: committed };
  }
}
