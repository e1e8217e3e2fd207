import { DurableObject } from 'cloudflare:workers';
import { HOUR_MS, hourStart, lastCompleteMinutes, MINUTE_MS, minuteStart, secondCeil, secondStart } from '../core/metrics/minutes';
import type { MinutePair } from '../core/health/guard-state';
import type { RolloutSignals } from '../core/health/judge';
import { type MinuteBucket, minuteStatsOf, type MinuteStats, statsOf, type WindowStats } from '../core/metrics/window-stats';
import { MAX_DURATION_SECONDS } from '../core/schema/rollout';
import { migrateSqlite } from '../sqlite/migrate';
import { type BucketDelta, BucketTable } from './bucket-table';
import { SHARD_MIGRATIONS } from './shard-migrations';

/**
 * Minute buckets are kept this long (≥ 2 h), hourly roll-ups this long: the longest bake a rollout
 * may ask for (MAX_DURATION_SECONDS, 90 days) and a day, so a bake is judged over all of it.
 */
export const MINUTE_RETENTION_MS = 3 * HOUR_MS;
export const HOUR_RETENTION_MS = MAX_DURATION_SECONDS * 1000 + 24 * HOUR_MS;
/**
 * 1-second slots are kept this long: past the 60-minute longest `sustainedMinutes` window and the
 * 2 hours a bake is judged from minute buckets, so the minute a rollout or bake started in can be
 * cut at its start for as long as any query looks at it. At most 60 rows per variant and minute.
 */
export const SECOND_RETENTION_MS = MINUTE_RETENTION_MS - HOUR_MS + 5 * MINUTE_MS;
const PRUNE_EVERY_MS = 10 * MINUTE_MS;

/** What the coordinator asks a shard for at a tick. */
export interface SignalsQuery {
  treatment: string;
  baseline: string | null;
  now: number;
  minutes: number;
  /**
   * The rollout's start: reports stamped before it are not about the rollout and are left out;
   * those stamped at or after it count, its first (partial) minute included. Compared to the
   * second: a start inside a second counts from the next whole second.
   */
  since: number;
  /** Start of the bake, when the rollout is at its last stage. */
  bakeFrom: number | null;
  /** The first minute whose counts of both cohorts the sequential guards need; none when absent. */
  pairsFrom?: number;
}

/** The most minutes one answer carries for the guards: the minute buckets' retention; older ones are gone anyway. */
export const MAX_PAIRS = MINUTE_RETENTION_MS / MINUTE_MS;

/**
 * One per (environment, flag): merges metric reports into 1-minute buckets per variant (and
 * hourly roll-ups for long bakes, and 1-second slots for cutting a minute at a rollout's start),
 * answers window queries, and prunes old buckets by alarm.
 */
export class MetricsShard extends DurableObject<Env> {
  private readonly seconds: BucketTable;
  private readonly minutes: BucketTable;
  private readonly hours: BucketTable;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    this.seconds = new BucketTable(ctx.storage.sql, 'second_buckets', secondStart);
    this.minutes = new BucketTable(ctx.storage.sql, 'minute_buckets', minuteStart);
    this.hours = new BucketTable(ctx.storage.sql, 'hour_buckets', hourStart);
    void ctx.blockConcurrencyWhile(async () => migrateSqlite(ctx.storage, SHARD_MIGRATIONS, Date.now()));
  }

  /** Merges validated reports; all of them or none. */
  async ingest(deltas: BucketDelta[], now: number): Promise<{ accepted: number }> {
    this.ctx.storage.transactionSync(() => {
      this.seconds.add(deltas);
      this.minutes.add(deltas);
      this.hours.add(deltas);
    });
    if ((await this.ctx.storage.getAlarm()) === null) await this.ctx.storage.setAlarm(now + PRUNE_EVERY_MS);
    return { accepted: deltas.length };
  }

  /** Stats of one variant over [from, to), from minute buckets (or hourly roll-ups when coarse). */
  async window(variant: string, from: number, to: number, coarse = false): Promise<WindowStats> {
    return statsOf((coarse ? this.hours : this.minutes).range(variant, from, to));
  }

  /** Per-minute stats of one variant: the `n` complete minutes before `now`, empty ones included. */
  async perMinute(variant: string, now: number, n: number): Promise<MinuteStats[]> {
    const to = minuteStart(now);
    return lastCompleteMinutes(this.minutes.range(variant, to - n * MINUTE_MS, to), now, n).map(minuteStatsOf);
  }

  /**
   * Everything a tick needs about one rollout, in one call: the last complete minutes before `now`,
   * from the rollout's start on. The minute the rollout started in is a partial minute holding the
   * reports stamped from the start on; it is a minute like any other for the sustained rule, so it
   * counts as one of `sustainedMinutes` only when it alone has `minSamples` reports.
   */
  async signals(q: SignalsQuery): Promise<RolloutSignals> {
    const to = minuteStart(q.now);
    const from = Math.max(to - q.minutes * MINUTE_MS, q.since);
    const treatment = this.rangeFrom(q.treatment, from, to, q.now);
    const minutes = lastCompleteMinutes(treatment, q.now, q.minutes);
    const out: RolloutSignals = { minutes, window: statsOf(treatment), pairs: this.pairs(q, to) };
    if (q.baseline !== null) out.baseline = statsOf(this.rangeFrom(q.baseline, from, to, q.now));
    if (q.bakeFrom !== null) out.bake = this.bakeStats(q.treatment, q.bakeFrom, to, q.now);
    return out;
  }

  /** Both cohorts minute by minute from `q.pairsFrom` (at most MAX_PAIRS) to `to`, each minute cut at the rollout's start. */
  private pairs(q: SignalsQuery, to: number): MinutePair[] {
    if (q.pairsFrom === undefined) return [];
    const first = Math.max(minuteStart(q.pairsFrom), minuteStart(q.since), to - MAX_PAIRS * MINUTE_MS);
    const n = Number.isFinite(first) ? (to - first) / MINUTE_MS : 0;
    if (!(n > 0)) return [];
    const from = Math.max(first, q.since);
    const treatment = lastCompleteMinutes(this.rangeFrom(q.treatment, from, to, q.now), q.now, n);
    const baseline = q.baseline === null ? null : lastCompleteMinutes(this.rangeFrom(q.baseline, from, to, q.now), q.now, n);
    return treatment.map((t, k) => ({ minute: t.minute, treatment: t, baseline: baseline?.[k] ?? null }));
  }

  /**
   * Buckets of a variant holding the reports stamped in [from, to), `to` minute-aligned. When `from`
   * falls inside a minute, that minute comes from its 1-second slots from `from`'s next whole
   * second on, and the later minutes from minute buckets. Slots older than their retention may be
   * pruned: such a partial minute is left out whole, as it was before slots existed.
   */
  private rangeFrom(variant: string, from: number, to: number, now: number): MinuteBucket[] {
    const first = minuteStart(from);
    if (first === from) return this.minutes.range(variant, from, to);
    const rest = this.minutes.range(variant, first + MINUTE_MS, to);
    if (first + MINUTE_MS > to || first < now - SECOND_RETENTION_MS) return rest;
    return [...this.seconds.range(variant, secondCeil(from), first + MINUTE_MS), ...rest];
  }

  /**
   * The bake so far. Minute buckets cover recent bakes exactly; longer ones use hourly roll-ups
   * from the hour the bake started in (up to 59 minutes before it count too), plus this hour's minutes.
   */
  private bakeStats(variant: string, from: number, to: number, now: number): WindowStats {
    if (from >= to - MINUTE_RETENTION_MS + HOUR_MS) return statsOf(this.rangeFrom(variant, from, to, now));
    const thisHour = hourStart(to);
    return statsOf([...this.hours.range(variant, hourStart(from), thisHour), ...this.minutes.range(variant, thisHour, to)]);
  }

  /** Prunes buckets past retention; re-arms while data remains. */
  override async alarm(): Promise<void> {
    const now = Date.now();
    this.ctx.storage.transactionSync(() => {
      this.seconds.prune(now - SECOND_RETENTION_MS);
      this.minutes.prune(now - MINUTE_RETENTION_MS);
      this.hours.prune(now - HOUR_RETENTION_MS);
    });
    const left = this.ctx.storage.sql
      .exec<{ n: number }>('SELECT (SELECT COUNT(*) FROM second_buckets) + (SELECT COUNT(*) FROM minute_buckets) + (SELECT COUNT(*) FROM hour_buckets) AS n')
      .one().n;
    if (left > 0) await this.ctx.storage.setAlarm(now + PRUNE_EVERY_MS);
  }
}
