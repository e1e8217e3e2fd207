import { runDurableObjectAlarm } from 'cloudflare:test';
import { env } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import { HOUR_MS } from '../../src/core/metrics/minutes';
import { sketchFromSamples } from '../../src/core/metrics/sketch';
import { MAX_DURATION_SECONDS } from '../../src/core/schema/rollout';
import { MAX_SNAPSHOT_VERSION, type Snapshot } from '../../src/core/schema/snapshot';
import type { TestClock } from '../helpers/clock';
import { configWith, kvSnapshot, publishedConfigAndKey, runPublishAlarm, storeConfigVersion, validConfig } from '../helpers/coordinator';
import { admin, adminTokensVar } from '../helpers/admin';
import { keyOf } from '../helpers/fixture';
import type { Harness } from '../helpers/harness';
import { tickGiven } from '../helpers/coordinator-deps';
import { coordinatorAndEdgeEachTest, type CoordinatorEdgeWorld } from '../helpers/coordinator-kit';

// Findings of the adversarial review of the merged issue-9 work (seams between its parts).

const ENV = 'staging';
const MIN = 60_000;
const FLAG = 'static-bool';

let h: Harness;
let clock: TestClock;
let api: CoordinatorEdgeWorld['api'];
coordinatorAndEdgeEachTest(ENV, (world) => ({ h, clock, api } = world));

/** A coordinator that has published its config and a client key (v2). */
const published = (): Promise<Snapshot> => publishedConfigAndKey(ENV, clock);

/** static-bool's value for a user, through the Worker's OFREP endpoint and its per-isolate snapshot store. */
async function evaluateStaticBool(): Promise<unknown> {
  const res = await h.evaluate(`/ofrep/v1/evaluate/flags/${FLAG}`, { context: { targetingKey: 'user-1' } }, keyOf(ENV));
  expect(res.status, await res.clone().text()).toBe(200);
  return (await res.json<{ value: unknown }>()).value;
}

/** Forges KV at `version` with static-bool turned off, and lets the isolate load it. */
async function forge(real: Snapshot, version: number): Promise<void> {
  const forged = structuredClone(real);
  forged.$rollgate.version = version;
  forged.flags[FLAG]!.defaultVariant = 'off';
  await h.publish(forged);
  clock.advance(10_000);
  expect(await evaluateStaticBool()).toBe(false);
}

describe('a forged snapshot version at the edge ceiling cannot pin isolates', () => {
  it('version exactly MAX_SNAPSHOT_VERSION: the edge takes it, the repair publishes below it, and isolates still move to the repair', async () => {
    const real = await published();
    await forge(real, MAX_SNAPSHOT_VERSION);
    clock.advance(MIN);
    const result = await tickGiven(ENV, clock.now, {});
    expect(result.kv).toMatchObject({ status: 'repaired', found: { kind: 'garbage' } });
    // Within KV's propagation time a lower version may be a stale replica: the isolate waits…
    clock.advance(10_000);
    await evaluateStaticBool();
    // …but KV keeps answering it, so it is what KV holds.
    clock.advance(MIN + 1000);
    expect(await evaluateStaticBool()).toBe(true);
    const health = await (await h.fetch('/health')).json<{ environments: Record<string, { version: number }> }>();
    expect(health.environments[ENV]!.version).toBe((await kvSnapshot(ENV))!.$rollgate.version);
  });

  it('version MAX_SNAPSHOT_VERSION − 1: the repair does not spend the version range, so later changes still reach the edge', async () => {
    const real = await published();
    await forge(real, MAX_SNAPSHOT_VERSION - 1);
    clock.advance(MIN);
    expect((await tickGiven(ENV, clock.now, {})).kv).toMatchObject({ status: 'repaired', found: { kind: 'foreign', version: MAX_SNAPSHOT_VERSION - 1 } });
    clock.advance(10_000);
    await evaluateStaticBool();
    clock.advance(MIN + 1000);
    expect(await evaluateStaticBool()).toBe(true);
    // A later change (static-bool off for real) is published at a version the edge accepts.
    clock.advance(1000);
    const off = configWith((c) => {
      c.flags[FLAG]!.defaultVariant = 'off';
    });
    expect(await api.putConfig({ document: off, ifMatch: null, actor: 'tester', reason: 'off', confirmed: false }, clock.now)).toMatchObject({ ok: true });
    await runPublishAlarm(ENV, clock);
    const version = (await kvSnapshot(ENV))!.$rollgate.version;
    expect(version).toBeLessThanOrEqual(MAX_SNAPSHOT_VERSION);
    clock.advance(10_000);
    expect(await evaluateStaticBool()).toBe(false);
    const health = await (await h.fetch('/health')).json<{ environments: Record<string, { version: number; status: string }> }>();
    expect(health.environments[ENV]).toMatchObject({ version, status: 'ok' });
  });
});

describe('X-Rollgate-Reason is bounded like every other reason (1000 characters)', () => {
  it('a config PUT with a longer reason header is 422 and commits nothing; the admin plane still answers', async () => {
    h.vars = { ADMIN_TOKENS: await adminTokensVar() };
    const first = await admin(h, 'PUT', `/environments/${ENV}/flags`, { body: validConfig(), headers: { 'x-rollgate-reason': 'first' } });
    expect(first.status).toBe(200);
    const auditBefore = await api.auditPage({ limit: 500 });
    const changed = configWith((c) => {
      c.flags[FLAG]!.defaultVariant = 'off';
    });
    const res = await admin(h, 'PUT', `/environments/${ENV}/flags`, { body: changed, headers: { 'x-rollgate-reason': 'x'.repeat(1001) } });
    expect(res.status).toBe(422);
    expect(await res.json()).toMatchObject({ error: expect.stringContaining('X-Rollgate-Reason'), errors: [{ path: '/reason' }] });
    expect(await api.getConfig()).toMatchObject({ ok: true, value: { version: 1 } });
    expect(await api.auditPage({ limit: 500 })).toEqual(auditBefore);
    // At the bound it is accepted.
    const ok = await admin(h, 'PUT', `/environments/${ENV}/flags`, { body: changed, headers: { 'x-rollgate-reason': 'y'.repeat(1000) } });
    expect(ok.status).toBe(200);
    expect((await api.getConfig()) as unknown).toMatchObject({ ok: true, value: { version: 2 } });
    expect((await admin(h, 'GET', '/environments')).status).toBe(200);
  });
});

describe('a bake as long as the bounds allow is judged over all of it', () => {
  it('a 20-day bake (bakeSeconds ≤ 90 days) still counts the errors of its first day after the shard prunes', async () => {
    const shard = env.METRICS.getByName(`${ENV}/new-checkout`);
    const bakeFrom = clock.set(Math.ceil(clock.now / HOUR_MS) * HOUR_MS + 10 * MIN);
    expect(20 * 24 * 3600).toBeLessThanOrEqual(MAX_DURATION_SECONDS);
    clock.advance(2 * MIN);
    const bins = sketchFromSamples([50]).bins;
    await shard.ingest([{ variant: 'on', at: bakeFrom + MIN, count: 100, errors: 10, bins }], clock.now);
    clock.set(bakeFrom + 20 * 24 * HOUR_MS);
    await shard.ingest([{ variant: 'on', at: clock.now - 30_000, count: 100, errors: 0, bins }], clock.now);
    await runDurableObjectAlarm(shard);
    const signals = await shard.signals({ treatment: 'on', baseline: null, now: clock.now, minutes: 5, since: bakeFrom - 20 * MIN, bakeFrom });
    expect(signals.bake).toMatchObject({ samples: 200, errors: 10 });
  });
});

describe('a config version stored before the config bounds still reads', () => {
  it('21 health checks, a 300-character flag key, a long check name and URL: the environment keeps working, and the bounds hold for new writes', async () => {
    h.vars = { ADMIN_TOKENS: await adminTokensVar() };
    await published();
    const checks = Array.from({ length: 21 }, (_, i) => ({
      name: i === 0 ? 'n'.repeat(300) : `c${i}`,
      url: i === 0 ? `https://api.example.com/${'p'.repeat(2100)}` : `https://api.example.com/${i}`,
    }));
    const old = configWith((c) => {
      c.environments = ['development', { name: 'staging', healthChecks: checks }, { name: 'production', protected: true }];
      c.flags['k'.repeat(300)] = structuredClone(c.flags[FLAG]!);
    });
    await storeConfigVersion(ENV, old, clock.now, 'older-code');
    clock.advance(MIN);
    // The admin plane answers, for this environment and in the list of all of them.
    expect((await admin(h, 'GET', '/environments')).status).toBe(200);
    expect(await api.getConfig()).toMatchObject({ ok: true, value: { version: 2 } });
    expect((await admin(h, 'GET', `/environments/${ENV}/rollouts`)).status).toBe(200);
    // Ticks run.
    expect(await tickGiven(ENV, clock.now, {})).toMatchObject({ duplicate: false, changed: [] });
    // A rollout can start, and a new write is held to the bounds (422), while a bounded one is taken.
    const started = await admin(h, 'POST', `/environments/${ENV}/rollouts`, { body: { flag: FLAG, variant: 'off', strategy: 'safe' } });
    expect(started.status, await started.clone().text()).toBe(201);
    const again = await admin(h, 'PUT', `/environments/${ENV}/flags`, { body: old });
    expect(again.status).toBe(422);
    expect((await again.json<{ errors: { path: string }[] }>()).errors.map((e) => e.path)).toEqual(
      expect.arrayContaining([
        '/environments/1/healthChecks',
        '/environments/1/healthChecks/0/name',
        '/environments/1/healthChecks/0/url',
        `/flags/${'k'.repeat(300)}`,
      ]),
    );
    const fixed = await admin(h, 'PUT', `/environments/${ENV}/flags`, { body: validConfig() });
    expect(fixed.status, await fixed.clone().text()).toBe(200);
  });
});
