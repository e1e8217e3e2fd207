/**
 * A coordinator serves the environment it is named for (getByName): its methods take no
 * environment argument. The name is kept in storage, because an alarm that wakes a cold object
 * gets no ctx.id.name; an object reached without a name writes nothing.
 */
import { reset, runDurableObjectAlarm, runInDurableObject } from 'cloudflare:test';
import { env } from 'cloudflare:workers';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ConfigWrite } from '../src/coordinator/config-ops';
import type { RolloutCoordinator } from '../src/coordinator/rollout-coordinator';
import type { RollgateConfig } from '../src/core/schema/config';
import { TestClock } from './helpers/clock';
import { configWith, coordinatorOf, kvSnapshot, validConfig } from './helpers/coordinator';

let clock: TestClock;

beforeEach(() => {
  clock = new TestClock();
});
afterEach(async () => {
  clock.restore();
  await reset();
});

const write = (document: RollgateConfig): ConfigWrite => ({ document, ifMatch: null, actor: 'tester', reason: null, confirmed: true });

describe('a coordinator knows its environment by its name', () => {
  it('publishes, summarises and audits under the name it was reached by', async () => {
    for (const name of ['staging', 'production']) {
      const { api } = coordinatorOf(name);
      expect(await api.putConfig(write(validConfig()), clock.now)).toMatchObject({ ok: true });
      expect((await kvSnapshot(name))!.$rollgate.environment).toBe(name);
      expect((await api.summary()).environment).toBe(name);
      const [entry] = (await api.auditPage({ limit: 1 })).entries;
      expect(entry).toMatchObject({ environment: name, action: 'config.put' });
      clock.advance(1000);
    }
  });

  it('an object reached without a name refuses to write and stores nothing', async () => {
    const stub = env.COORDINATOR.get(env.COORDINATOR.newUniqueId());
    const stored = await runInDurableObject(stub, async (instance: RolloutCoordinator, state) => {
      expect(state.id.name).toBeUndefined();
      await expect(instance.putConfig(write(validConfig()), clock.now)).rejects.toThrow(/getByName/);
      await expect(instance.summary()).rejects.toThrow(/getByName/);
      return {
        configs: state.storage.sql.exec<{ n: number }>('SELECT count(*) AS n FROM config_versions').one().n,
        audit: state.storage.sql.exec<{ n: number }>('SELECT count(*) AS n FROM audit_log').one().n,
      };
    });
    expect(stored).toEqual({ configs: 0, audit: 0 });
  });

  it('an alarm on an object woken without its name still publishes under the stored name', async () => {
    const { api, stub } = coordinatorOf('staging');
    expect(await api.putConfig(write(validConfig()), clock.now)).toMatchObject({ ok: true });
    // A second change within the same second: KV takes one write per key a second, so the alarm publishes it.
    clock.advance(100);
    const changed = configWith((c) => {
      c.flags['new-checkout']!.defaultVariant = 'on';
    });
    expect(await api.putConfig({ ...write(changed), ifMatch: 1 }, clock.now)).toMatchObject({ ok: true, value: { version: 2 } });
    expect((await kvSnapshot('staging'))!.flags['new-checkout']!.defaultVariant).toBe('off');

    clock.advance(1000);
    // What a cold alarm sees: the object torn down, then woken by an id that carries no name.
    const hex = stub.id.toString();
    await runInDurableObject(stub, (_instance, state) => state.abort('evict')).catch(() => undefined);
    const nameless = env.COORDINATOR.get(env.COORDINATOR.idFromString(hex));
    expect(await runInDurableObject(nameless, (_instance, state) => state.id.name)).toBeUndefined();
    expect(await runDurableObjectAlarm(nameless)).toBe(true);
    const snap = (await kvSnapshot('staging'))!;
    expect(snap.$rollgate.environment).toBe('staging');
    expect(snap.flags['new-checkout']!.defaultVariant).toBe('on');
  });
});
