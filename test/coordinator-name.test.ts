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

  it('an object reached without a name refuses every write and stores nothing', async () => {
    const stub = env.COORDINATOR.get(env.COORDINATOR.newUniqueId());
    const stored = await runInDurableObject(stub, async (instance: RolloutCoordinator, state) => {
      expect(state.id.name).toBeUndefined();
      const now = clock.now;
      const body = { flag: 'new-checkout', variant: 'on', strategy: 'safe', reason: 'launch' };
      const writes = [
        () => instance.putConfig(write(validConfig()), now),
        () => instance.revertConfig(1, { ifMatch: null, actor: 'tester', reason: null, confirmed: true }, now),
        () => instance.startRollout(body, 'tester', now, true),
        ...(['promote', 'pause', 'resume', 'rollback'] as const).map((a) => () => instance.rolloutAction('ro_x', a, { reason: 'r' }, 'tester', now, true)),
        () => instance.issueKey({ name: 'web' }, 'tester', now, true),
        () => instance.revokeKey('web', 'tester', now, true),
        () => instance.tick(now),
        () => instance.summary(),
      ];
      for (const call of writes) await expect(call()).rejects.toThrow(/getByName/);
      const tables = ['meta', 'config_versions', 'rollouts', 'rollout_transitions', 'audit_log', 'client_keys', 'processed_ticks', 'notification_deliveries'];
      return {
        rows: Object.fromEntries(tables.map((t) => [t, state.storage.sql.exec<{ n: number }>(`SELECT count(*) AS n FROM ${t}`).one().n])),
        alarm: await state.storage.getAlarm(),
      };
    });
    expect(stored).toEqual({
      rows: { meta: 0, config_versions: 0, rollouts: 0, rollout_transitions: 0, audit_log: 0, client_keys: 0, processed_ticks: 0, notification_deliveries: 0 },
      alarm: null,
    });
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
    // (evictDurableObject keeps the name with the id in this runtime; an abort drops the instance and its name. The
    // abort is logged as an uncaught exception: that line is expected.)
    await runInDurableObject(stub, (_instance, state) => state.abort('evict')).catch(() => undefined);
    const nameless = env.COORDINATOR.get(env.COORDINATOR.idFromString(hex));
    expect(await runInDurableObject(nameless, (_instance, state) => state.id.name)).toBeUndefined();
    expect(await runDurableObjectAlarm(nameless)).toBe(true);
    const snap = (await kvSnapshot('staging'))!;
    expect(snap.$rollgate.environment).toBe('staging');
    expect(snap.flags['new-checkout']!.defaultVariant).toBe('on');
  });
});
