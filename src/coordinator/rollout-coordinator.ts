import { DurableObject } from 'cloudflare:workers';
import type { RollgateConfig } from '../core/schema/config';
import { zHealthInput, type HealthInput } from '../core/schema/rollout';
import type { AuditPage } from './audit-log';
import { type ConfigWrite, type ConfigWriteResult, dryRun, writeConfig } from './config-ops';
import type { ClientKeyInfo } from './client-keys';
import { type IssuedKey, issueKey, listKeys, revokeKey } from './key-ops';
import { migrateSqlite } from '../store/migrate-sqlite';
import { MIGRATIONS } from './migrations';
import { fail, ok, type Outcome } from './outcome';
import type { PublishResult } from './publisher';
import { type Gathered, gatherHealth } from './gather-health';
import type { ProbeState } from './probes';
import { act, type RolloutActionName, type RolloutView, start, tickAll, viewOf } from './rollout-ops';
import { type CoordinatorState, createState } from './state';

/** An environment at a glance, for GET /admin/v1/environments. */
export interface EnvironmentSummary {
  environment: string;
  configVersion: number | null;
  snapshotVersion: number;
  publishedVersion: number;
  lastPublishError: string | null;
  activeRollouts: RolloutView[];
  probes: ProbeState[];
}

/** What a tick did. */
export interface TickResult {
  scheduledTime: number;
  duplicate: boolean;
  changed: string[];
  publish: PublishResult | null;
}

const TICK_RETENTION_MS = 2 * 24 * 3600 * 1000;

/**
 * One per environment: the only writer of its config versions, rollouts, audit log and client
 * keys. Every change commits to SQLite first; the snapshot is then published to KV, and an alarm
 * redoes any publish that did not happen. Methods are RPC; failures come back as Outcome values.
 */
export class RolloutCoordinator extends DurableObject<Env> {
  private readonly s: CoordinatorState;
  /** Test seam: where snapshots are written instead of env.FLAGS. */
  publishTarget: Pick<KVNamespace, 'put'> | undefined;
  /** Test seam: how health-check probes fetch instead of the global fetch. */
  probeFetch: typeof fetch | undefined;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    this.s = createState(ctx.storage, () => this.publishTarget ?? env.FLAGS);
    void ctx.blockConcurrencyWhile(async () => migrateSqlite(ctx.storage, MIGRATIONS, Date.now()));
  }

  /** Records the environment name on first use; an object serves exactly one environment. */
  private bind(environment: string): void {
    const known = this.s.meta.get('environment', '');
    if (known === '') this.s.meta.set('environment', environment);
    else if (known !== environment) throw new Error(`coordinator of "${known}" called for "${environment}"`);
  }

  /** Publishes after a change, without failing the caller: the alarm retries. */
  private async publishAfterChange(): Promise<PublishResult> {
    return this.s.publisher.publish();
  }

  async summary(environment: string): Promise<EnvironmentSummary> {
    this.bind(environment);
    const v = this.s.publisher.versions();
    return {
      environment,
      configVersion: this.s.configs.latest()?.version ?? null,
      snapshotVersion: v.committed,
      publishedVersion: v.published,
      lastPublishError: this.s.meta.get('publish_error', '') || null,
      activeRollouts: this.s.rollouts.active().map((r) => viewOf(r)),
      probes: this.s.probes.all(),
    };
  }

  async getConfig(environment: string): Promise<Outcome<{ version: number; document: RollgateConfig; updatedAt: string; actor: string }>> {
    this.bind(environment);
    const latest = this.s.configs.latest();
    if (!latest) return fail(404, `no config has been written to ${environment} yet`);
    return ok({ version: latest.version, document: latest.config, updatedAt: new Date(latest.createdAt).toISOString(), actor: latest.actor });
  }

  async putConfig(environment: string, write: ConfigWrite, now: number): Promise<Outcome<ConfigWriteResult>> {
    this.bind(environment);
    const out = writeConfig(this.s, write, now);
    if (out.ok && out.value.changed) await this.publishAfterChange();
    return out;
  }

  async validateConfig(environment: string, document: unknown): Promise<ReturnType<typeof dryRun>> {
    this.bind(environment);
    return dryRun(this.s, document);
  }

  async revertConfig(environment: string, version: number, write: Omit<ConfigWrite, 'document'>, now: number): Promise<Outcome<ConfigWriteResult>> {
    this.bind(environment);
    const old = this.s.configs.get(version);
    if (!old) return fail(404, `no config version ${version} in ${environment}`);
    const out = writeConfig(this.s, { ...write, document: old.config, reason: write.reason ?? `revert to version ${version}` }, now, 'config.revert');
    if (out.ok && out.value.changed) await this.publishAfterChange();
    return out;
  }

  async listRollouts(environment: string, status?: string): Promise<RolloutView[]> {
    this.bind(environment);
    return this.s.rollouts.list(status).map((r) => viewOf(r));
  }

  async getRollout(environment: string, id: string): Promise<Outcome<RolloutView>> {
    this.bind(environment);
    const r = this.s.rollouts.get(id);
    return r ? ok(viewOf(r, this.s.rollouts.history(id))) : fail(404, `no rollout ${id} in ${environment}`);
  }

  async startRollout(environment: string, body: unknown, actor: string, now: number): Promise<Outcome<RolloutView>> {
    this.bind(environment);
    const out = start(this.s, body, actor, now, `ro_${now.toString(36)}_${crypto.randomUUID().slice(0, 8)}`);
    if (out.ok) await this.publishAfterChange();
    return out;
  }

  async rolloutAction(environment: string, id: string, action: RolloutActionName, body: unknown, actor: string, now: number): Promise<Outcome<RolloutView & { changed: boolean }>> {
    this.bind(environment);
    const out = act(this.s, id, action, body, actor, now);
    if (out.ok && out.value.changed) await this.publishAfterChange();
    return out;
  }

  /**
   * The cron's tick at `now` (its scheduledTime): probes health checks, gathers each active
   * rollout's verdict from its metrics shard (unless `health` gives verdicts, as tests do), then
   * applies the rollout plans in one transaction. The same scheduledTime twice changes nothing the
   * second time, even when two ticks overlap; rollbacks publish at once.
   */
  async tick(environment: string, now: number, health?: Record<string, unknown>): Promise<TickResult> {
    this.bind(environment);
    const duplicate: TickResult = { scheduledTime: now, duplicate: true, changed: [], publish: null };
    if (this.tickSeen(now)) return duplicate;
    let gathered: Gathered;
    if (health) {
      const inputs: Record<string, HealthInput> = {};
      for (const [id, h] of Object.entries(health)) {
        const parsed = zHealthInput.safeParse(h);
        if (parsed.success) inputs[id] = parsed.data;
      }
      gathered = { health: inputs, probes: [], probeCounts: new Map() };
    } else {
      gathered = await gatherHealth(this.s, this.env.METRICS, this.probeFetch ?? fetch, now);
    }
    // Another tick for the same time may have committed while this one awaited the shards.
    if (this.tickSeen(now)) return duplicate;
    this.s.storage.transactionSync(() => {
      this.s.storage.sql.exec('INSERT INTO processed_ticks (scheduled_time, processed_at) VALUES (?, ?)', now, now);
      this.s.storage.sql.exec('DELETE FROM processed_ticks WHERE scheduled_time < ?', now - TICK_RETENTION_MS);
      if (!health) this.s.probes.record(gathered.probes, gathered.probeCounts, now);
    });
    const changed = tickAll(this.s, now, gathered.health);
    const publish = changed.length > 0 ? await this.publishAfterChange() : null;
    return { scheduledTime: now, duplicate: false, changed: changed.map((r) => r.id), publish };
  }

  private tickSeen(now: number): boolean {
    return this.s.storage.sql.exec('SELECT 1 FROM processed_ticks WHERE scheduled_time = ?', now).toArray().length > 0;
  }

  async auditPage(environment: string, query: { cursor?: string; limit: number; flag?: string; action?: string }): Promise<AuditPage> {
    this.bind(environment);
    return this.s.audit.page(query);
  }

  async issueKey(environment: string, body: unknown, actor: string, now: number): Promise<Outcome<IssuedKey>> {
    this.bind(environment);
    const out = await issueKey(this.s, body, actor, now);
    if (out.ok && out.value.changed) await this.publishAfterChange();
    return out;
  }

  async listKeys(environment: string): Promise<{ keys: ClientKeyInfo[] }> {
    this.bind(environment);
    return listKeys(this.s);
  }

  async revokeKey(environment: string, name: string, actor: string, now: number): Promise<Outcome<{ name: string }>> {
    this.bind(environment);
    const out = revokeKey(this.s, name, actor, now);
    if (out.ok) await this.publishAfterChange();
    return out;
  }

  /** Redoes any publish that a failure, a debounce or an eviction left pending. */
  override async alarm(): Promise<void> {
    if (this.s.meta.get('environment', '') === '') return;
    await this.s.publisher.publish();
  }
}
