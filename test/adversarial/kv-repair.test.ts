import { runInDurableObject } from 'cloudflare:test';
import { env } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import type { RolloutCoordinator } from '../../src/coordinator/rollout-coordinator';
import { MAX_SNAPSHOT_VERSION, type Snapshot } from '../../src/core/schema/snapshot';
import { snapshotKey } from '../../src/store/keys';
import type { TestClock } from '../helpers/clock';
import { kvSnapshot, publishedConfigAndKey, validConfig } from '../helpers/coordinator';
import { keyOf } from '../helpers/fixture';
import type { Harness } from '../helpers/harness';
import { tickGiven } from '../helpers/coordinator-deps';
import { coordinatorAndEdgeEachTest, type CoordinatorEdgeWorld } from '../helpers/coordinator-kit';

const ENV = 'staging';
const MIN = 60_000;
const FLAG = 'static-bool';

let h: Harness;
let clock: TestClock;
let api: CoordinatorEdgeWorld['api'];
let stub: CoordinatorEdgeWorld['stub'];
coordinatorAndEdgeEachTest(ENV, (world) => ({ h, clock, api, stub } = world));

/** A coordinator that has published its config and a client key (v2). */
const published = (): Promise<Snapshot> => publishedConfigAndKey(ENV, clock);

/** The next cron tick, a minute later, with the object's clock there too. */
function tick() {
  clock.advance(MIN);
  return tickGiven(ENV, clock.now, {});
}

async function repairs() {
  return (await api.auditPage({ limit: 500, action: 'snapshot.repaired' })).entries;
}

/** static-bool's value for a user, through the Worker's OFREP endpoint and its per-isolate snapshot store. */
async function evaluateStaticBool(): Promise<unknown> {
  const res = await h.evaluate(`/ofrep/v1/evaluate/flags/${FLAG}`, { context: { targetingKey: 'user-1' } }, keyOf(ENV));
  expect(res.status, await res.clone().text()).toBe(200);
  return (await res.json<{ value: unknown }>()).value;
}

describe('KV converges to the coordinator on every tick', () => {
  it('leaves a correct value alone: no write, no audit', async () => {
    const before = await published();
    const writes: string[] = [];
    await runInDurableObject(stub, (instance: RolloutCoordinator) => {
      instance.deps.publishTarget = {
        put: async (key: string, value: string) => {
          writes.push(key);
          await env.FLAGS.put(key, value);
        },
      };
    });
    for (let i = 0; i < 3; i++) expect((await tick()).kv).toEqual({ status: 'in-sync' });
    expect(writes).toEqual([]);
    expect(await kvSnapshot(ENV)).toEqual(before);
    expect(await repairs()).toEqual([]);
  });

  it('rewrites garbage at the next tick, above the version it last published', async () => {
    await published();
    await h.putRaw(ENV, '{"flags": {"static-bool": ');
    const result = await tick();
    const snap = (await kvSnapshot(ENV))!;
    expect(snap.$rollgate.version).toBe(3);
    expect(snap.flags[FLAG]!.defaultVariant).toBe('on');
    expect(result.kv).toMatchObject({
      status: 'repaired',
      found: { kind: 'garbage', reason: 'snapshot in KV is not JSON' },
      version: 3,
      publish: { status: 'published', version: 3 },
    });
    const [entry, ...more] = await repairs();
    expect(more).toEqual([]);
    expect(entry).toMatchObject({ actor: 'rollgate', action: 'snapshot.repaired', target: 'snapshot v3', reason: 'snapshot in KV is not JSON' });
    expect(await api.summary()).toMatchObject({ snapshotVersion: 3, publishedVersion: 3, lastPublishError: null });
    // Repaired once: the next tick finds its own value.
    expect((await tick()).kv).toEqual({ status: 'in-sync' });
  });

  it('restores a deleted key', async () => {
    await published();
    await env.FLAGS.delete(snapshotKey(ENV));
    const result = await tick();
    expect((await kvSnapshot(ENV))!.$rollgate.version).toBe(3);
    expect(result.kv).toMatchObject({ status: 'repaired', found: { kind: 'missing' }, version: 3 });
  });

  it('publishes above a forged higher version, and an isolate pinned to the forgery moves on', async () => {
    const real = await published();
    const forged = structuredClone(real);
    forged.$rollgate.version = 1000;
    forged.flags[FLAG]!.defaultVariant = 'off';
    await h.publish(forged);
    clock.advance(10_000);
    expect(await evaluateStaticBool()).toBe(false);

    const result = await tick();
    clock.advance(10_000);
    expect(await evaluateStaticBool()).toBe(true);
    const snap = (await kvSnapshot(ENV))!;
    expect(snap.$rollgate.version).toBe(1001);
    expect(snap.flags[FLAG]!.defaultVariant).toBe('on');
    expect(result.kv).toMatchObject({ status: 'repaired', found: { kind: 'foreign', version: 1000 }, version: 1001 });
    const health = await (await h.fetch('/health')).json<{ environments: Record<string, { version: number }> }>();
    expect(health.environments[ENV]!.version).toBe(1001);
    // Later changes continue above it.
    clock.advance(1000);
    await api.putConfig({ document: validConfig(), ifMatch: null, actor: 'tester', reason: 'same', confirmed: false }, clock.now);
    await api.issueKey({ name: 'web-2' }, 'tester', clock.now + 2000, false);
    expect((await api.summary()).snapshotVersion).toBe(1002);
  });

  it('republishes over a forged value at the published version, and over a replayed older one once KV has had time to settle', async () => {
    const real = await published();
    const sameVersion = structuredClone(real);
    sameVersion.flags[FLAG]!.defaultVariant = 'off';
    await h.publish(sameVersion);
    const result = await tick();
    expect((await kvSnapshot(ENV))!.flags[FLAG]!.defaultVariant).toBe('on');
    expect(result.kv).toMatchObject({ status: 'repaired', found: { kind: 'foreign', version: 2 }, version: 3 });

    // An older snapshot of its own, read within a minute of a write, may be KV's propagation: the
    // next tick decides. A minute later it is a replay and is repaired.
    const current = (await kvSnapshot(ENV))!;
    const replay = structuredClone(current);
    replay.$rollgate.version = 1;
    clock.advance(1000);
    await api.putConfig({ document: validConfig(), ifMatch: null, actor: 'tester', reason: null, confirmed: false }, clock.now);
    await api.issueKey({ name: 'web-2' }, 'tester', clock.now, false);
    expect((await kvSnapshot(ENV))!.$rollgate.version).toBe(4);
    await h.publish(replay);
    clock.advance(20_000);
    expect(await tickGiven(ENV, clock.now, {})).toMatchObject({ kv: { status: 'propagating' } });
    expect((await tick()).kv).toMatchObject({ status: 'repaired', found: { kind: 'foreign', version: 1 }, version: 5 });
    expect((await kvSnapshot(ENV))!.$rollgate.version).toBe(5);
  });

  it('treats a version beyond the edge ceiling as garbage: the edge rejects it and the repair does not chase it', async () => {
    const real = await published();
    clock.advance(10_000);
    expect(await evaluateStaticBool()).toBe(true);
    const forged = structuredClone(real);
    forged.$rollgate.version = MAX_SNAPSHOT_VERSION + 1;
    forged.flags[FLAG]!.defaultVariant = 'off';
    await h.publish(forged);
    clock.advance(10_000);
    // The edge keeps what it had: never the forged value.
    expect(await evaluateStaticBool()).toBe(true);
    const result = await tick();
    expect((await kvSnapshot(ENV))!.$rollgate.version).toBe(3);
    expect(result.kv).toMatchObject({ status: 'repaired', found: { kind: 'garbage' }, version: 3 });
  });

  it('does nothing before the coordinator has published anything: the edge serves its bundled snapshot', async () => {
    await h.putRaw(ENV, 'garbage');
    expect((await tick()).kv).toEqual({ status: 'nothing-published' });
    expect(await env.FLAGS.get(snapshotKey(ENV))).toBe('garbage');
    expect(await api.auditPage({ limit: 10 })).toMatchObject({ entries: [] });
  });
});
