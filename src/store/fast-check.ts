import type { SnapshotStore } from './snapshot-store';

/** What the fast check asks the coordinator (the RolloutCoordinator's latestSnapshot RPC). */
export interface LatestSnapshotSource {
  latestSnapshot(after: number): Promise<{ version: number; text: string | null }>;
}

/** The part of the Cache API the check uses (caches.default, colo-local). */
export type ColoCache = Pick<Cache, 'match' | 'put'>;

export interface FastCheckOptions {
  /** At most one check per environment per isolate this often (ms); 0 turns the check off. */
  intervalMs: number;
  /** A coordinator call that takes longer than this is abandoned (ms): KV stays the path. */
  timeoutMs: number;
  log: (event: Record<string, unknown>) => void;
}

/** How long the colo shares one version answer: one coordinator call per colo per this. */
const VERSION_BUCKET_MS = 1000;
/** Cache lifetime of a version entry: its second, and a little more for clocks a bit apart. */
const VERSION_TTL_SECONDS = 2;
/** A version's text never changes; kept long enough for every isolate of the colo to fetch it. */
const TEXT_TTL_SECONDS = 300;
const BASE = 'https://rollgate.internal/fast-check/v1';

/**
 * Isolates learn of a new snapshot version in about a second, whatever KV's propagation
 * (docs/propagation.md §A): per environment, at most one check per `intervalMs` per isolate,
 * off the request path; the colo shares the answer through the Cache API, so the coordinator sees
 * about one call per colo per second. Anything failing here only means KV stays the path: the
 * check never throws and never blocks a request.
 */
export class FastCheck {
  private readonly lastStart = new Map<string, number>();
  private readonly inflight = new Set<string>();
  private lastError: string | undefined;

  constructor(
    private readonly store: SnapshotStore,
    private readonly options: FastCheckOptions,
  ) {}

  /** True when a check of `environment` is due at `now`; marks it started. A map lookup in steady state. */
  claim(environment: string, now: number): boolean {
    if (this.options.intervalMs <= 0 || this.inflight.has(environment)) return false;
    const last = this.lastStart.get(environment);
    if (last !== undefined && now >= last && now - last < this.options.intervalMs) return false;
    this.lastStart.set(environment, now);
    return true;
  }

  /** Checks `environment` against the colo cache, then the coordinator; installs a newer snapshot. */
  async run(environment: string, source: () => LatestSnapshotSource, cache: ColoCache | undefined, now: number): Promise<void> {
    this.inflight.add(environment);
    try {
      await this.check(environment, source, cache, now);
      this.lastError = undefined;
    } catch (err) {
      const text = err instanceof Error ? `${err.name}: ${err.message}`.slice(0, 200) : String(err).slice(0, 200);
      if (text !== this.lastError) this.options.log({ event: 'fast_check_failed', environment, error: text });
      this.lastError = text;
    } finally {
      this.inflight.delete(environment);
    }
  }

  private async check(environment: string, source: () => LatestSnapshotSource, cache: ColoCache | undefined, now: number): Promise<void> {
    const served = this.store.servedVersion(environment);
    // One entry per environment per second of the check's clock: the colo shares an answer for that
    // second, whatever the Cache API's own expiry granularity.
    const versionUrl = `${BASE}/${encodeURIComponent(environment)}/version/${Math.floor(now / VERSION_BUCKET_MS)}`;
    const cached = await cache?.match(versionUrl);
    let latest = cached ? versionOf(await cached.text()) : undefined;
    let text: string | null = null;
    if (latest === undefined) {
      const answer = await this.ask(source, served);
      latest = answer.version;
      text = answer.text;
      await cache?.put(versionUrl, new Response(String(latest), { headers: { 'cache-control': `max-age=${VERSION_TTL_SECONDS}` } }));
      if (text !== null) await this.putText(cache, environment, latest, text);
    }
    if (latest <= served) return;
    if (text === null) {
      const textUrl = `${BASE}/${encodeURIComponent(environment)}/snapshot/${latest}`;
      const hit = await cache?.match(textUrl);
      if (hit) text = await hit.text();
      else {
        const answer = await this.ask(source, served);
        text = answer.text;
        if (text !== null) await this.putText(cache, environment, answer.version, text);
      }
    }
    if (text !== null) this.store.offer(environment, text, now);
  }

  private async putText(cache: ColoCache | undefined, environment: string, version: number, text: string): Promise<void> {
    await cache?.put(
      `${BASE}/${encodeURIComponent(environment)}/snapshot/${version}`,
      new Response(text, { headers: { 'cache-control': `max-age=${TEXT_TTL_SECONDS}` } }),
    );
  }

  private async ask(source: () => LatestSnapshotSource, after: number): Promise<{ version: number; text: string | null }> {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`coordinator did not answer within ${this.options.timeoutMs} ms`)), this.options.timeoutMs);
    });
    try {
      const answer = await Promise.race([source().latestSnapshot(after), timeout]);
      if (!Number.isSafeInteger(answer.version) || (answer.text !== null && typeof answer.text !== 'string')) throw new Error('coordinator answered garbage');
      return answer;
    } finally {
      clearTimeout(timer);
    }
  }
}

function versionOf(text: string): number | undefined {
  return /^[0-9]{1,15}$/.test(text) ? Number(text) : undefined;
}
