/**
 * Delivering notifications: retried with backoff, every attempt recorded, given up after the last;
 * a receiver that never answers holds back neither a tick nor a publish; the outbox survives an
 * eviction. What each decision sends: notifications.test.ts.
 */
import { evictDurableObject, runDurableObjectAlarm, runInDurableObject } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import type { TestClock } from './helpers/clock';
import { type CoordinatorWorld, coordinatorEachTest } from './helpers/coordinator-kit';
import { coordinatorOf, kvSnapshot } from './helpers/coordinator';
import { breached, deliveries, ENV, healthy, hook, HOUR, setup, tickAt } from './helpers/notifications';
import { FakeReceiver } from './helpers/receiver';

let clock: TestClock;
let coordinator: CoordinatorWorld;
coordinatorEachTest(ENV, (world) => {
  coordinator = world;
  clock = world.clock;
});

describe('retries', () => {
  it('500 twice then 200: three attempts with 2 s then 8 s of backoff, one success, every attempt recorded', async () => {
    const receiver = new FakeReceiver([500, 500, 200]);
    const r = await setup(clock, [hook(['rollout.rolled_back'])]);
    await receiver.install(ENV);
    await tickAt(clock, r.startedAt + HOUR, { [r.id]: breached });
    const t0 = clock.now;

    await runDurableObjectAlarm(coordinator.stub);
    expect(receiver.received).toHaveLength(1);
    let [d] = await deliveries();
    expect(d).toMatchObject({ status: 'pending', attempts: 1, lastStatus: 500, lastError: 'status 500', nextAttemptAt: new Date(t0 + 2000).toISOString() });
    expect(await deliveries({ failed: true })).toHaveLength(1);

    // Not before its backoff: an alarm a second later sends nothing.
    clock.advance(1000);
    expect(await runDurableObjectAlarm(coordinator.stub)).toBe(true);
    expect(receiver.received).toHaveLength(1);

    clock.set(t0 + 2000);
    await runDurableObjectAlarm(coordinator.stub);
    expect(receiver.received).toHaveLength(2);
    [d] = await deliveries();
    expect(d).toMatchObject({ status: 'pending', attempts: 2, nextAttemptAt: new Date(t0 + 2000 + 8000).toISOString() });

    clock.set(t0 + 2000 + 7999);
    await runDurableObjectAlarm(coordinator.stub);
    expect(receiver.received).toHaveLength(2);
    clock.set(t0 + 2000 + 8000);
    await runDurableObjectAlarm(coordinator.stub);
    expect(receiver.received).toHaveLength(3);

    [d] = await deliveries();
    expect(d).toMatchObject({
      status: 'delivered',
      attempts: 3,
      lastStatus: 200,
      lastError: null,
      nextAttemptAt: null,
      deliveredAt: new Date(t0 + 10_000).toISOString(),
    });
    expect(d!.attemptLog.map((a) => [a.at, a.status, a.error])).toEqual([
      [new Date(t0).toISOString(), 500, 'status 500'],
      [new Date(t0 + 2000).toISOString(), 500, 'status 500'],
      [new Date(t0 + 10_000).toISOString(), 200, null],
    ]);
    // The same delivery id (idempotency key) and body in every attempt; a fresh signature each time.
    expect(new Set(receiver.received.map((q) => q.headers.get('x-rollgate-delivery'))).size).toBe(1);
    expect(new Set(receiver.received.map((q) => q.body)).size).toBe(1);
    expect(new Set(receiver.received.map((q) => q.headers.get('x-rollgate-signature'))).size).toBe(3);
    expect(await deliveries({ failed: true })).toEqual([]);
  });

  it('keeps each receiver in order: a later delivery waits while an earlier one retries; another receiver is not held back', async () => {
    const receiver = new FakeReceiver([500]);
    const r = await setup(clock, [
      hook(['rollout.promoted', 'rollout.rolled_back']),
      { name: 'other', url: 'https://other.example.com/h', events: ['rollout.rolled_back'] },
    ]);
    await receiver.install(ENV);
    await tickAt(clock, r.startedAt + 24 * HOUR, { [r.id]: healthy });
    await tickAt(clock, r.startedAt + 25 * HOUR, { [r.id]: breached });
    const t0 = clock.now;
    await runDurableObjectAlarm(coordinator.stub);
    // ops: the promotion failed (500) and the rollback waits behind it; other: the rollback went out.
    expect(receiver.received.map((q) => [new URL(q.url).host, q.headers.get('x-rollgate-event')])).toEqual([
      ['hooks.example.com', 'rollout.promoted'],
      ['other.example.com', 'rollout.rolled_back'],
    ]);
    clock.set(t0 + 2000);
    await runDurableObjectAlarm(coordinator.stub);
    expect(receiver.received.slice(2).map((q) => [new URL(q.url).host, q.headers.get('x-rollgate-event')])).toEqual([
      ['hooks.example.com', 'rollout.promoted'],
      ['hooks.example.com', 'rollout.rolled_back'],
    ]);
  });

  it('gives up after 8 attempts and says so', async () => {
    const receiver = new FakeReceiver(Array.from({ length: 8 }, () => 503));
    const r = await setup(clock, [hook(['rollout.rolled_back'])]);
    await receiver.install(ENV);
    await tickAt(clock, r.startedAt + HOUR, { [r.id]: breached });
    for (let i = 0; i < 8; i++) {
      const [d] = await deliveries();
      if (d!.nextAttemptAt) clock.set(Date.parse(d!.nextAttemptAt));
      await runDurableObjectAlarm(coordinator.stub);
    }
    expect(receiver.received).toHaveLength(8);
    const [d] = await deliveries({ failed: true });
    expect(d).toMatchObject({ status: 'failed', attempts: 8, lastStatus: 503, nextAttemptAt: null });
    expect(d!.attemptLog).toHaveLength(8);
    expect(await runDurableObjectAlarm(coordinator.stub)).toBe(false);
  });

  it('never sends unsigned: an environment without a secret records the attempts as failed', async () => {
    const receiver = new FakeReceiver();
    const r = await setup(clock, [hook(['rollout.rolled_back'])], 'qa');
    await receiver.install('qa');
    await tickAt(clock, r.startedAt + HOUR, { [r.id]: breached }, 'qa');
    await runDurableObjectAlarm(coordinatorOf('qa').stub);
    expect(receiver.received).toEqual([]);
    const [d] = await deliveries({ failed: true }, 'qa');
    expect(d).toMatchObject({
      status: 'pending',
      attempts: 1,
      lastStatus: null,
      lastError: 'WEBHOOK_SECRETS has no secret for environment "qa"; not sent unsigned',
    });
  });
});

describe('a receiver that never answers', () => {
  it('does not slow the tick: a rollback commits and publishes while a delivery is still in flight', async () => {
    const receiver = new FakeReceiver(['hang']);
    const r = await setup(clock, [hook(['rollout.promoted', 'rollout.rolled_back'])]);
    await receiver.install(ENV);
    await tickAt(clock, r.startedAt + 24 * HOUR, { [r.id]: healthy });
    // The alarm sends the promotion to a receiver that does not answer; it is left running.
    let alarmDone = false;
    const alarm = runDurableObjectAlarm(coordinator.stub).then(() => (alarmDone = true));
    await receiver.waitFor(1);

    const started = performance.now();
    const tick = await tickAt(clock, r.startedAt + 25 * HOUR, { [r.id]: breached });
    const tickMs = performance.now() - started;
    expect(tick).toMatchObject({ changed: [r.id], publish: { status: 'published' } });
    expect(alarmDone).toBe(false);
    expect(receiver.received).toHaveLength(1);
    expect((await kvSnapshot(ENV))!.flags['new-checkout']!.rollout).toBeUndefined();
    const pending = await deliveries();
    expect(pending.map((d) => [d.event, d.status, d.attempts])).toEqual([
      ['rollout.rolled_back', 'pending', 0],
      ['rollout.promoted', 'pending', 1],
    ]);
    console.log(`tick while a delivery hangs: ${tickMs.toFixed(1)} ms (performance.now in the Workers runtime)`);

    // The attempt ends at its own timeout and is recorded; its retry is 2 s after that, and the
    // rollback waits behind it for this receiver: in order.
    await alarm;
    let after = await deliveries();
    expect(after.map((d) => [d.event, d.status, d.attempts])).toEqual([
      ['rollout.rolled_back', 'pending', 0],
      ['rollout.promoted', 'pending', 1],
    ]);
    expect(after[1]).toMatchObject({ lastStatus: null, lastError: 'timed out after 5000 ms', nextAttemptAt: new Date(clock.now + 2000).toISOString() });
    clock.advance(2000);
    await runDurableObjectAlarm(coordinator.stub);
    after = await deliveries();
    expect(after.map((d) => [d.event, d.status])).toEqual([
      ['rollout.rolled_back', 'delivered'],
      ['rollout.promoted', 'delivered'],
    ]);
    expect(receiver.received.map((q) => q.headers.get('x-rollgate-event'))).toEqual(['rollout.promoted', 'rollout.promoted', 'rollout.rolled_back']);
    // The attempt's real 5 s timeout runs inside this test.
  }, 20_000);
});

describe('eviction', () => {
  it('a delivery enqueued before an eviction is delivered once after it, from the alarm', async () => {
    const receiver = new FakeReceiver();
    const r = await setup(clock, [hook(['rollout.rolled_back'])]);
    await tickAt(clock, r.startedAt + HOUR, { [r.id]: breached });
    await evictDurableObject(coordinator.stub);
    // The new instance gets the receiver; the outbox and the alarm survived in storage.
    await receiver.install(ENV);
    expect(await runDurableObjectAlarm(coordinator.stub)).toBe(true);
    expect(receiver.received).toHaveLength(1);
    expect(await runDurableObjectAlarm(coordinator.stub)).toBe(false);
    expect((await deliveries()).map((d) => d.status)).toEqual(['delivered']);
  });

  it('an attempt cut short by an eviction counts, is recorded as interrupted and is retried after its backoff', async () => {
    const r = await setup(clock, [hook(['rollout.rolled_back'])]);
    await tickAt(clock, r.startedAt + HOUR, { [r.id]: breached });
    const t0 = clock.now;
    // As if the object died mid-attempt: the attempt was counted before the fetch, its result never came.
    const [queued] = await deliveries();
    await runInDurableObject(coordinator.stub, (_i, state) => {
      state.storage.sql.exec('UPDATE notification_deliveries SET attempts = 1, next_attempt_at = ? WHERE id = ?', t0 + 2000, queued!.id);
    });
    await evictDurableObject(coordinator.stub);
    const receiver = new FakeReceiver();
    await receiver.install(ENV);
    clock.set(t0 + 2000);
    await runDurableObjectAlarm(coordinator.stub);
    expect(receiver.received).toHaveLength(1);
    const [d] = await deliveries();
    expect(d).toMatchObject({ status: 'delivered', attempts: 2 });
    expect(d!.attemptLog.map((a) => a.error)).toEqual(['interrupted: the coordinator restarted during the attempt', null]);
  });
});
