import { DurableObject } from 'cloudflare:workers';
import type { RollgateConfig } from '../core/schema/config';
import { type ConfigChange, diffConfigs } from '../core/config/diff';
import type { AuditPage, AuditQuery } from './audit-log';
import { type ConfigWrite, type ConfigWriteResult, dryRun, writeConfig } from './config-ops';
import type { ClientKeyInfo } from './client-keys';
import { type IssuedKey, issueKey, listKeys, revokeKey } from './key-ops';
import { confirmationFailure } from './protection';
import { needsConfirmation } from '../core/rollout/actions';
import { migrateSqlite } from '../sqlite/migrate';
import { MIGRATIONS } from './migrations';
import { fail, ok, type Outcome } from './outcome';
import type { ConvergeResult, PublishResult } from './publisher';
import { logEvent, nameForLog } from '../log';
import { type CoordinatorDeps, coordinatorDeps } from './coordinator-deps';
import { recordRepair } from './record-repair';
import type { TickRefusal } from './tick-log';
import type { DeliveryView } from './notification-outbox';
import type { ProbeState } from './probes';
import { act, type RolloutActionName, type RolloutView, type StoredRolloutView, start, viewOfStored } from './rollout-ops';
import { tickAll } from './rollout-tick';
import { type CoordinatorState, createState } from './state';
import { webhookSecretsFor } from './webhook-secrets';
import { WebhookSender } from './webhook-sender';

/** An environment at a glance, for GET /admin/v1/environments. */
export interface EnvironmentSummary {
  environment: string;
  configVersion: number | null;
  snapshotVersion: number;
  publishedVersion: number;
  lastPublishError: string | null;
  activeRollouts: StoredRolloutView[];
  probes: ProbeState[];
}

/** Config versions as the dashboard lists them, and a diff between two. */
export interface ConfigHistory {
  versions: Array<{ version: number; createdAt: number; actor: string; reason: string | null }>;
  diff?: ConfigChange[];
}

/** What a tick did. */
export interface TickResult {
  scheduledTime: number;
  duplicate: boolean;
  /** Why a tick changed nothing though it was no duplicate: older than the last applied one, or too far ahead. */
  refused?: TickRefusal;
  changed: string[];
  /** Rollouts whose tick failed (held and recorded); absent when none. */
  failed?: string[];
  publish: PublishResult | null;
  /** The check of KV against the coordinator's latest; absent when this tick just published. */
  kv?: ConvergeResult;
}

export { MAX_TICK_LEAD_MS } from './tick-log';

/**
 * One per environment: the only writer of its config versions, rollouts, audit log and client
 * keys. Every change commits to SQLite first; the snapshot is then published to KV, and an alarm
 * redoes any publish that did not happen. Methods are RPC; failures come back as Outcome values.
 */
export class RolloutCoordinator extends DurableObject<Env> {
  private readonly s: CoordinatorState;
  /** KV, fetch and the health sources, built from env (coordinator-deps.ts). */
  readonly deps: CoordinatorDeps;
  private readonly sender: WebhookSender;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    const deps = coordinatorDeps(env);
    this.deps = deps;
    this.s = createState(
      ctx.storage,
      () => deps.publishTarget,
      () => env.FLAGS,
    );
    this.sender = new WebhookSender(
      this.s,
      () => deps.webhookFetch,
      (e) => webhookSecretsFor(env.WEBHOOK_SECRETS, e),
    );
    void ctx.blockConcurrencyWhile(async () => {
      migrateSqlite(ctx.storage, MIGRATIONS, Date.now());
      // One object per environment, named by it (getByName). The name is kept in storage too: an
      // alarm that wakes a cold object gets no ctx.id.name, and its publish and notifications need it.
      const name = ctx.id.name;
      if (name === undefined || name === '') return;
      const stored = this.s.meta.get('environment', '');
      if (stored === '') this.s.meta.set('environment', name);
      // getByName derives the id from the name, so this cannot happen short of a hash collision; the stored name stays.
      else if (stored !== name) logEvent({ event: 'coordinator_name_mismatch', environment: stored, name });
    });
  }

  /** A 428 for an unconfirmed write when the latest config protects this environment (production by default). */
  private refuseUnconfirmed(confirmed: boolean): Outcome<never> | null {
    return confirmationFailure(this.s.configs.latest()?.config ?? null, this.s.environment(), confirmed);
  }

  /** Publishes after a change, without failing the caller: the alarm retries; due notifications re-arm it if the publish set it later. */
  private async publishAfterChange(): Promise<PublishResult> {
    try {
      const result = await this.s.publisher.publish();
      await this.s.outbox.arm();
      return result;
    } catch (err) {
      // The change is committed and its publish is pending in storage: the alarm armed at the commit redoes it.
      const error = err instanceof Error ? `${err.name}: ${err.message}` : String(err);
      logEvent({ event: 'publish_after_change_failed', environment: nameForLog(this.s.environment), message: error });
      return { status: 'failed', error, retryAt: Date.now() };
    }
  }

  /**
   * For isolates' fast version check (docs/propagation.md): the version last published and, when
   * newer than `after`, the snapshot text written to KV. Reads memory only.
   */
  latestSnapshot(after: number): { version: number; text: string | null } {
    const latest = this.s.publisher.latest();
    return latest.version > after ? latest : { version: latest.version, text: null };
  }

  async summary(): Promise<EnvironmentSummary> {
    const environment = this.s.environment();
    const v = this.s.publisher.versions();
    return {
      environment,
      configVersion: this.s.configs.latest()?.version ?? null,
      snapshotVersion: v.committed,
      publishedVersion: v.published,
      lastPublishError: this.s.meta.get('publish_error', '') || null,
      activeRollouts: this.s.rollouts.activeRows().map((r) => viewOfStored(this.s, r)),
      probes: this.s.probes.all(),
    };
  }

  async getConfig(): Promise<Outcome<{ version: number; document: RollgateConfig; updatedAt: string; actor: string }>> {
    const environment = this.s.environment();
    const latest = this.s.configs.latest();
    if (!latest) return fail(404, 'config_not_found', `no config has been written to ${environment} yet`);
    return ok({ version: latest.version, document: latest.config, updatedAt: new Date(latest.createdAt).toISOString(), actor: latest.actor });
  }

  async putConfig(write: ConfigWrite, now: number): Promise<Outcome<ConfigWriteResult>> {
    const out = writeConfig(this.s, write, now);
    if (out.ok && out.value.changed) await this.publishAfterChange();
    return out;
  }

  async validateConfig(document: unknown): Promise<ReturnType<typeof dryRun>> {
    return dryRun(this.s, document);
  }

  async revertConfig(version: number, write: Omit<ConfigWrite, 'document'>, now: number): Promise<Outcome<ConfigWriteResult>> {
    const environment = this.s.environment();
    const old = this.s.configs.get(version);
    if (!old) return fail(404, 'config_version_not_found', `no config version ${version} in ${environment}`);
    const out = writeConfig(this.s, { ...write, document: old.config, reason: write.reason ?? `revert to version ${version}` }, now, 'config.revert');
    if (out.ok && out.value.changed) await this.publishAfterChange();
    return out;
  }

  /** The newest config versions (who, when, why) and, when both are given, the diff between two of them. */
  async configHistory(limit: number, diff?: { from: number; to: number }): Promise<Outcome<ConfigHistory>> {
    const environment = this.s.environment();
    const versions = this.s.configs.list(Math.min(Math.max(1, limit), 500));
    if (!diff) return ok({ versions });
    const [from, to] = [this.s.configs.get(diff.from), this.s.configs.get(diff.to)];
    if (!from || !to) return fail(404, 'config_version_not_found', `no config version ${from ? diff.to : diff.from} in ${environment}`);
    return ok({ versions, diff: diffConfigs(from.config, to.config) });
  }

  async listRollouts(status?: string): Promise<StoredRolloutView[]> {
    return this.s.rollouts.list(status).map((r) => viewOfStored(this.s, r));
  }

  async getRollout(id: string): Promise<Outcome<StoredRolloutView>> {
    const environment = this.s.environment();
    const r = this.s.rollouts.get(id);
    return r ? ok(viewOfStored(this.s, r, this.s.rollouts.history(id))) : fail(404, 'rollout_not_found', `no rollout ${id} in ${environment}`);
  }

  async startRollout(body: unknown, actor: string, now: number, confirmed: boolean): Promise<Outcome<RolloutView>> {
    const refused = this.refuseUnconfirmed(confirmed);
    if (refused) return refused;
    const out = start(this.s, body, actor, now, `ro_${now.toString(36)}_${crypto.randomUUID().slice(0, 8)}`);
    if (out.ok) await this.publishAfterChange();
    return out;
  }

  async rolloutAction(
    id: string,
    action: RolloutActionName,
    body: unknown,
    actor: string,
    now: number,
    confirmed: boolean,
  ): Promise<Outcome<StoredRolloutView & { changed: boolean }>> {
    const refused = needsConfirmation(action) ? this.refuseUnconfirmed(confirmed) : null;
    if (refused) return refused;
    const out = act(this.s, id, action, body, actor, now);
    if (out.ok && out.value.changed) await this.publishAfterChange();
    return out;
  }

  /**
   * The cron's tick at `now` (its scheduledTime): probes health checks, gathers each active
   * rollout's signals from its metrics shard or Prometheus (deps.assess), then
   * applies the rollout plans, each rollout on its own (one that fails is held and recorded), and
   * checks that KV holds the latest snapshot. Tick time only moves forward: the same scheduledTime
   * twice, an older one, or one more than MAX_TICK_LEAD_MS ahead of the object's clock changes
   * nothing, even when two ticks overlap. A rollback publishes in the same call, or, within a
   * second of the previous write, at the end of that second (KV takes one write per key a second).
   */
  async tick(now: number): Promise<TickResult> {
    const skip = this.skipTick(now);
    if (skip) return skip;
    const { judge, gathered } = await this.deps.assess(this.s, now);
    // Another tick for the same or a later time may have committed while this one awaited the shards.
    const late = this.skipTick(now);
    if (late) return late;
    this.s.storage.transactionSync(() => {
      this.s.ticks.record(now);
      if (gathered) this.s.probes.record(gathered.probes, gathered.probeCounts, now);
    });
    const ticked = tickAll(this.s, now, judge, gathered?.failures);
    const publish = ticked.dirty ? await this.publishAfterChange() : null;
    const result: TickResult = { scheduledTime: now, duplicate: false, changed: ticked.changed.map((r) => r.id), publish };
    if (ticked.failed.length > 0) result.failed = ticked.failed;
    // A tick that just wrote KV has nothing to check; otherwise one read per tick keeps KV honest.
    if (publish?.status !== 'published') result.kv = await this.s.publisher.converge((found, version) => recordRepair(this.s, found, version, now));
    return result;
  }

  /** Why a tick at `now` must change nothing, or null when it may run. */
  private skipTick(now: number): TickResult | null {
    const nothing: TickResult = { scheduledTime: now, duplicate: false, changed: [], publish: null };
    const clock = Date.now();
    const refused = this.s.ticks.refusal(now, clock);
    if (refused) {
      logEvent({
        event: 'tick_refused',
        environment: this.s.environment(),
        scheduledTime: Number.isSafeInteger(now) ? now : String(now),
        clock,
        message: refused.message,
      });
      return { ...nothing, refused };
    }
    if (this.s.ticks.seen(now)) return { ...nothing, duplicate: true };
    const last = this.s.ticks.last();
    if (now < last) return { ...nothing, refused: { reason: 'older', message: `scheduledTime ${now} is older than the last applied tick (${last})` } };
    return null;
  }

  async auditPage(query: AuditQuery): Promise<AuditPage> {
    return this.s.audit.page(query);
  }

  async issueKey(body: unknown, actor: string, now: number, confirmed: boolean): Promise<Outcome<IssuedKey>> {
    const refused = this.refuseUnconfirmed(confirmed);
    if (refused) return refused;
    const out = await issueKey(this.s, body, actor, now);
    if (out.ok && out.value.changed) await this.publishAfterChange();
    return out;
  }

  async listKeys(): Promise<{ keys: ClientKeyInfo[] }> {
    return listKeys(this.s);
  }

  async revokeKey(name: string, actor: string, now: number, confirmed: boolean): Promise<Outcome<{ name: string }>> {
    const refused = this.refuseUnconfirmed(confirmed);
    if (refused) return refused;
    const out = revokeKey(this.s, name, actor, now);
    if (out.ok) await this.publishAfterChange();
    return out;
  }

  /** Recent notification deliveries with their attempts, newest first. */
  async notifications(query: { failed: boolean; limit: number }): Promise<{ deliveries: DeliveryView[] }> {
    return { deliveries: this.s.outbox.list(query) };
  }

  /**
   * Redoes any publish that a failure, a debounce or an eviction left pending, and sends due
   * notifications, side by side: a receiver that never answers cannot hold back a publish. The
   * outbox then re-arms the alarm for its next delivery when that comes before the publisher's.
   */
  override async alarm(): Promise<void> {
    if (this.s.meta.get('environment', '') === '') return;
    const [publish] = await Promise.allSettled([this.s.publisher.publish(), this.sender.run()]);
    await this.s.outbox.arm();
    if (publish.status === 'rejected') throw publish.reason;
  }
}
