import { createScheduledController, runInDurableObject } from 'cloudflare:test';
import { env } from 'cloudflare:workers';
import { expect } from 'vitest';
import type { RolloutCoordinator } from '../../src/coordinator/rollout-coordinator';
import type { RolloutView } from '../../src/coordinator/rollout-ops';
import type { RollgateConfig } from '../../src/core/schema/config';
import type { Snapshot } from '../../src/core/schema/snapshot';
import { scheduled } from '../../src/jobs/scheduled';
import { snapshotKey } from '../../src/store/keys';
import { admin, adminTokensVar } from './admin';
import { TestClock } from './clock';
import { validConfig } from './coordinator';
import { binOf } from '../../src/core/metrics/sketch';
import { keyOf, reportKeyOf } from './fixture';
import { Harness } from './harness';

export const MIN = 60_000;
export const HOUR = 60 * MIN;
export const ENV = 'staging';
export const FLAG = 'new-checkout';
/** new-checkout's variants in testConfig: the rollout's treatment and the flag's default. */
export const TREATMENT = 'on';
export const BASELINE = 'off';

/** One report as POST /v1/metrics takes it. */
export interface Report {
  flag: string;
  variant: string;
  timestamp?: number | string;
  count: number;
  errors: number;
  latencyMs: number[] | { bins: Record<string, number> };
}

/** What one variant did in one minute. */
export interface MinuteLoad {
  count: number;
  errors: number;
  latencyMs: number[] | { bins: Record<string, number> };
}

/** 200 requests, no errors, latencies 10..109 ms (P95 ≈ 105 ms, under the bake's 200 ms): healthy by every default. */
export const HEALTHY: MinuteLoad = { count: 200, errors: 0, latencyMs: Array.from({ length: 200 }, (_, i) => 10 + (i % 100)) };
/** 200 requests, 3 % errors, healthy latency: breaches the 1 % error-rate trigger. */
export const ERRORING: MinuteLoad = { ...HEALTHY, errors: 6 };
/** 200 requests, no errors; 30 % at 700 ms: P95 ≈ 700 ms > 500 ms (confidently: 30 % of values above it, not 5 %) while P99 ≈ 700 ms < 1000 ms. */
export const SLOW_P95: MinuteLoad = { count: 200, errors: 0, latencyMs: [...Array<number>(140).fill(100), ...Array<number>(60).fill(700)] };
/** 200 requests, no errors; 5 % at 1500 ms: P95 ≈ 100 ms < 500 ms while P99 ≈ 1500 ms > 1000 ms (confidently: 5 % of values above it, not 1 %). */
export const SLOW_P99: MinuteLoad = { count: 200, errors: 0, latencyMs: [...Array<number>(190).fill(100), ...Array<number>(10).fill(1500)] };

/**
 * The baseline's load when the treatment serves `percent` % of the flag's traffic and `load` per
 * minute: HEALTHY's shape (no errors, 10..109 ms) scaled so that the cohorts' counts are in the
 * rollout's ratio, as real traffic split by the rollout would be (the sample-ratio check holds a
 * rollout whose reports are not).
 */
export function baselineFor(load: MinuteLoad, percent: number): MinuteLoad {
  if (!(percent > 0 && percent < 100)) return HEALTHY;
  const count = Math.round((load.count * (100 - percent)) / percent);
  const latency = Array.isArray(HEALTHY.latencyMs) ? HEALTHY.latencyMs : [];
  const bins: Record<string, number> = {};
  // Each of HEALTHY's values stands for count / its length of the baseline's requests.
  const per = count / latency.length;
  for (const v of latency) bins[String(binOf(v))] = (bins[String(binOf(v))] ?? 0) + per;
  for (const k of Object.keys(bins)) bins[k] = Math.round(bins[k]!);
  return { count, errors: 0, latencyMs: { bins } };
}

/** Minute-aligned start of the minute holding `t`. */
export const minuteOf = (t: number): number => Math.floor(t / MIN) * MIN;

/**
 * One simulated world: a Worker harness and the Durable Objects on one clock (TestClock fakes
 * Date for the DOs too, a day ahead of real time, so no alarm fires by itself), a staging config
 * with a client key, and helpers to post metrics, run the cron and read rollouts back.
 */
export class Sim {
  readonly h = new Harness();
  readonly clock: TestClock;
  /** When the rollout (if any) was started; minute-aligned. */
  readonly T0: number;

  /** `T0` (minute-aligned, in the future) fixes the start; by default the first whole minute of TestClock's day-ahead clock. */
  constructor(T0?: number) {
    this.clock = new TestClock(this.h);
    this.T0 = this.clock.set(T0 ?? Math.ceil((this.clock.now + 10_000) / MIN) * MIN);
  }

  /** Sets both clocks (Worker request clock and Date) to `t`. */
  at(t: number): number {
    return this.clock.set(t);
  }

  /** Writes `config` (valid testConfig by default), a client key and a report key, one second apart so each publishes at once; ends at T0. */
  async setup(config: RollgateConfig = validConfig()): Promise<void> {
    // The sim compresses days of traffic from thousands of users and many servers into seconds of
    // real time, which the per-key rate limits (10-second windows of the wall clock) would cut off:
    // it runs without them. test/adversarial/scopes.rate-limits.test.ts exercises the real limiters.
    this.h.vars = { ADMIN_TOKENS: await adminTokensVar(), OFREP_RATE_LIMIT: undefined, METRICS_RATE_LIMIT: undefined };
    this.at(this.T0 - 3000);
    await expectStatus(admin(this.h, 'PUT', `/environments/${ENV}/flags`, { body: config }), 200);
    this.at(this.T0 - 2000);
    await expectStatus(admin(this.h, 'POST', `/environments/${ENV}/keys`, { body: { name: 'web', secret: keyOf(ENV) } }), 201);
    this.at(this.T0 - 1000);
    await expectStatus(admin(this.h, 'POST', `/environments/${ENV}/keys`, { body: { name: 'reporter', secret: reportKeyOf(ENV), scopes: ['report'] } }), 201);
    this.at(this.T0);
  }

  /** Starts a rollout of new-checkout → on at the current time (T0 after setup); returns it. */
  async start(body: Record<string, unknown> = {}): Promise<RolloutView> {
    const res = await admin(this.h, 'POST', `/environments/${ENV}/rollouts`, { body: { flag: FLAG, variant: TREATMENT, strategy: 'safe', ...body } });
    expect(res.status, await res.clone().text()).toBe(201);
    return await res.json<RolloutView>();
  }

  /** POSTs reports through the Worker at the current clock, with the report key unless told otherwise. */
  post(reports: Report[], key: string | null = reportKeyOf(ENV)): Promise<Response> {
    return this.h.fetch('/v1/metrics', {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(key ? { authorization: `Bearer ${key}` } : {}) },
      body: JSON.stringify({ reports }),
    });
  }

  /**
   * Posts, at `tickAt` (minute-aligned), one report per variant for each of the `minutes` complete
   * minutes before it, stamped 30 s into the minute; `load(k)` gives the treatment's load in the
   * k-th minute (0 = oldest). The baseline always gets HEALTHY. Leaves the clock at `tickAt`.
   */
  async postMinutesBefore(
    tickAt: number,
    minutes: number,
    load: (k: number) => MinuteLoad | null,
    baseline: MinuteLoad | null | 'split' = 'split',
  ): Promise<void> {
    this.at(tickAt);
    const percent = baseline === 'split' ? await this.servedPercent() : 0;
    const reports: Report[] = [];
    for (let k = 0; k < minutes; k++) {
      const timestamp = tickAt - (minutes - k) * MIN + 30_000;
      const t = load(k);
      if (t) reports.push({ flag: FLAG, variant: TREATMENT, timestamp, ...t });
      // No treatment reports in a minute: none of the baseline either (a minute without data), not a split gone wrong.
      const b = baseline === 'split' ? (t ? baselineFor(t, percent) : null) : baseline;
      if (b) reports.push({ flag: FLAG, variant: BASELINE, timestamp, ...b });
    }
    if (reports.length === 0) return;
    const res = await this.post(reports);
    expect(res.status, await res.clone().text()).toBe(202);
  }

  /** Posts treatment (and baseline) load for the single minute [minuteStart, +1 min), at the clock of the next minute's start (its tick). */
  async postMinute(minuteStart: number, treatment: MinuteLoad, baseline: MinuteLoad | null | 'split' = 'split'): Promise<void> {
    this.at(minuteStart + MIN);
    const timestamp = minuteStart + 30_000;
    const reports: Report[] = [{ flag: FLAG, variant: TREATMENT, timestamp, ...treatment }];
    const b = baseline === 'split' ? baselineFor(treatment, await this.servedPercent()) : baseline;
    if (b) reports.push({ flag: FLAG, variant: BASELINE, timestamp, ...b });
    const res = await this.post(reports);
    expect(res.status, await res.clone().text()).toBe(202);
  }

  /** The percent the running (or paused) rollout of FLAG serves now; 0 without one. */
  async servedPercent(): Promise<number> {
    const res = await admin(this.h, 'GET', `/environments/${ENV}/rollouts`);
    expect(res.status).toBe(200);
    const active = (await res.json<{ rollouts: RolloutView[] }>()).rollouts.find((r) => r.flag === FLAG && (r.status === 'running' || r.status === 'paused'));
    return active?.percent ?? 0;
  }

  /** Runs the cron entry point with `scheduledTime` = `t` (the clock is set to it first). */
  async tick(t: number): Promise<void> {
    this.at(t);
    await scheduled(createScheduledController({ scheduledTime: t, cron: '* * * * *' }), env);
  }

  /** A rollout through the admin API. */
  async rollout(id: string): Promise<RolloutView> {
    const res = await admin(this.h, 'GET', `/environments/${ENV}/rollouts/${id}`);
    expect(res.status).toBe(200);
    return await res.json<RolloutView>();
  }

  /** Audit entries of the environment, newest first. */
  async audit(action?: string): Promise<Array<{ actor: string; action: string; target: string; reason: string | null; diff: any }>> {
    const res = await admin(this.h, 'GET', `/environments/${ENV}/audit?limit=500${action ? `&action=${action}` : ''}`);
    expect(res.status).toBe(200);
    return (await res.json<{ entries: any[] }>()).entries;
  }

  /** GET /admin/v1/environments, the staging entry. */
  async summary(): Promise<any> {
    const res = await admin(this.h, 'GET', '/environments');
    expect(res.status).toBe(200);
    return (await res.json<{ environments: any[] }>()).environments.find((e) => e.environment === ENV);
  }

  /** Sets the coordinator's probe fetcher (its test seam). */
  async setProbeFetch(fetcher: typeof fetch): Promise<void> {
    await runInDurableObject(env.COORDINATOR.getByName(ENV), (instance: RolloutCoordinator) => {
      instance.deps.probeFetch = fetcher;
    });
  }

  /**
   * Evaluates `flag` over OFREP for targeting keys `user-0` … `user-(n-1)` at a clock 10 s after
   * the current one (so the Worker re-reads KV), in parallel chunks; returns the values in order.
   * user-0 goes alone first and starts the KV re-read; requests that arrive while it is in flight
   * wait for that same read (test/fetch.snapshot.test.ts, "snapshot refresh").
   */
  async evaluateUsers(n: number, flag = FLAG, chunk = 500): Promise<unknown[]> {
    this.at(this.clock.now + 10_000);
    const values: unknown[] = new Array(n);
    const one = async (i: number) => {
      const res = await this.h.evaluate(`/ofrep/v1/evaluate/flags/${flag}`, { context: { targetingKey: `user-${i}` } }, keyOf(ENV));
      if (res.status !== 200) throw new Error(`OFREP answered ${res.status} for user-${i}: ${await res.text()}`);
      values[i] = (await res.json<{ value: unknown }>()).value;
    };
    if (n > 0) await one(0);
    for (let from = 1; from < n; from += chunk) {
      const to = Math.min(n, from + chunk);
      await Promise.all(Array.from({ length: to - from }, (_, j) => one(from + j)));
    }
    return values;
  }
}

/** The staging snapshot in KV, read directly. */
export async function kvSnapshotOf(environment = ENV): Promise<Snapshot | null> {
  return env.FLAGS.get<Snapshot>(snapshotKey(environment), 'json');
}

/** Awaits a response and checks its status, showing the body when it differs. */
export async function expectStatus(res: Promise<Response> | Response, status: number): Promise<Response> {
  const r = await res;
  expect(r.status, await r.clone().text()).toBe(status);
  return r;
}

/** A fake fetch for probes: answers with `status()` at each call and records the URLs. */
export function fakeProbe(status: () => number): { fetch: typeof fetch; calls: string[] } {
  const calls: string[] = [];
  const f = (async (input: RequestInfo | URL) => {
    calls.push(typeof input === 'string' ? input : input instanceof URL ? input.href : input.url);
    return new Response('probe', { status: status() });
  }) as typeof fetch;
  return { fetch: f, calls };
}
