/**
 * Notifications through the coordinator in the Workers runtime, with the receiver as its injected
 * fetcher: the outbox is written with the decision, sent only by the alarm, retried with backoff,
 * never duplicated by a repeated tick, kept across an eviction. (A real HTTP receiver on a loopback
 * port is in test/e2e/notifications.e2e.test.ts.)
 */
import { evictDurableObject, reset, runDurableObjectAlarm, runInDurableObject } from 'cloudflare:test';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { DeliveryView } from '../src/coordinator/notification-outbox';
import type { RolloutView } from '../src/coordinator/rollout-ops';
import type { RollgateConfig } from '../src/core/schema/config';
import type { Notification } from '../src/core/schema/notifications';
import { TestClock } from './helpers/clock';
import { configWith, coordinatorOf, kvSnapshot } from './helpers/coordinator';
import { FakeReceiver, verifySignature } from './helpers/receiver';
import { tickGiven } from './helpers/coordinator-deps';

const ENV = 'staging';
const HOUR = 3600 * 1000;
const HOOK = 'https://hooks.example.com/rollgate/T123/secret-path';
const breached = {
  window: {
    kind: 'breached',
    trigger: 'error_rate',
    numbers: { samples: 800, errorRate: 0.023, p95Ms: 140, p99Ms: 410, baseline: { samples: 7900, errorRate: 0.002, p95Ms: 120, p99Ms: 300 } },
  },
};
const healthy = { window: { kind: 'healthy', numbers: { samples: 500, errorRate: 0.0004, p95Ms: 120, p99Ms: 300 } } };

let clock: TestClock;
let coordinator: ReturnType<typeof coordinatorOf>;

beforeEach(() => {
  clock = new TestClock();
  coordinator = coordinatorOf(ENV);
});
afterEach(async () => {
  clock.restore();
  await reset();
});

function withNotifications(environment: string, notifications: Notification[]): RollgateConfig {
  return configWith((c) => {
    c.environments = ['development', 'staging', 'qa', { name: 'production', protected: true }].map((e) => (e === environment ? { name: e, notifications } : e));
  });
}

/** Writes a config with `notifications` in `environment` and starts a safe rollout of new-checkout → on there. */
async function setup(notifications: Notification[], environment = ENV): Promise<RolloutView> {
  const { api } = coordinatorOf(environment);
  const put = await api.putConfig(
    { document: withNotifications(environment, notifications), ifMatch: null, actor: 'tester', reason: null, confirmed: false },
    clock.now,
  );
  if (!put.ok) throw new Error(JSON.stringify(put));
  clock.advance(1000);
  const started = await api.startRollout({ flag: 'new-checkout', variant: 'on', strategy: 'safe', reason: 'launch' }, 'tester', clock.now, false);
  if (!started.ok) throw new Error(started.error);
  return started.value;
}

function tickAt(at: number, health: Record<string, unknown>, environment = ENV) {
  clock.set(at);
  return tickGiven(environment, at, health);
}

async function deliveries(query: { failed?: boolean; limit?: number } = {}, environment = ENV): Promise<DeliveryView[]> {
  return (await coordinatorOf(environment).api.notifications({ failed: query.failed ?? false, limit: query.limit ?? 50 })).deliveries;
}

const hook = (events: Notification['events'], extra: Partial<Notification> = {}): Notification => ({ name: 'ops', url: HOOK, events, ...extra });

describe('an automatic rollback', () => {
  it('produces exactly one signed delivery with the numbers, sent by the alarm and not by the tick', async () => {
    const receiver = new FakeReceiver();
    const r = await setup([hook(['rollout.rolled_back']), hook(['config.changed'], { name: 'config-watch', format: 'slack' })]);
    await receiver.install(ENV);
    const at = r.startedAt + HOUR;
    const tick = await tickAt(at, { [r.id]: breached });
    expect(tick).toMatchObject({ changed: [r.id], publish: { status: 'published' } });

    // Committed with the rollback, not sent yet: the tick never waits for a receiver.
    expect(receiver.received).toHaveLength(0);
    const queued = await deliveries();
    expect(queued.filter((d) => d.event === 'rollout.rolled_back')).toMatchObject([
      { notification: 'ops', status: 'pending', attempts: 0, target: r.id, flag: 'new-checkout' },
    ]);

    expect(await runDurableObjectAlarm(coordinator.stub)).toBe(true);
    const hooks = receiver.received.filter((q) => q.url === HOOK);
    // The config write before the rollout went to config-watch; the rollback to ops, once.
    expect(hooks).toHaveLength(2);
    const sent = hooks.find((q) => q.headers.get('x-rollgate-event') === 'rollout.rolled_back')!;
    expect(hooks.filter((q) => q.headers.get('x-rollgate-event') === 'rollout.rolled_back')).toHaveLength(1);
    const check = await verifySignature(sent.headers.get('x-rollgate-signature'), sent.body, `dev-webhook-secret-${ENV}`);
    expect(check).toEqual({ ok: true, t: Math.floor(clock.now / 1000) });
    expect((await verifySignature(sent.headers.get('x-rollgate-signature'), sent.body, 'dev-webhook-secret-production')).ok).toBe(false);
    const body = JSON.parse(sent.body) as Record<string, any>;
    expect(body).toMatchObject({
      id: sent.headers.get('x-rollgate-delivery'),
      event: 'rollout.rolled_back',
      environment: ENV,
      occurredAt: new Date(at).toISOString(),
      decidedBy: { actor: 'rollgate', automatic: true },
      action: 'rollout.auto_rolled_back',
      flag: 'new-checkout',
      rollout: { id: r.id, variant: 'on', baselineVariant: 'off', status: 'rolled_back', percent: 0, stage: { number: 1, of: 6, percent: 5 } },
      evidence: {
        verdict: 'breached',
        trigger: 'error_rate',
        treatment: { samples: 800, errorRate: 0.023, p95Ms: 140, p99Ms: 410 },
        baseline: { samples: 7900, errorRate: 0.002, p95Ms: 120, p99Ms: 300 },
      },
      links: { cli: `rollgate status new-checkout --env ${ENV}` },
    });
    expect(body['reason']).toMatch(/^rolled back: error_rate 2\.3% > 1%/);

    const slack = hooks.find((q) => q.headers.get('x-rollgate-event') === 'config.changed')!;
    expect(Object.keys(JSON.parse(slack.body) as object)).toEqual(['text']);
    expect((await verifySignature(slack.headers.get('x-rollgate-signature'), slack.body, `dev-webhook-secret-${ENV}`)).ok).toBe(true);

    const done = await deliveries();
    expect(done.every((d) => d.status === 'delivered' && d.attempts === 1 && d.attemptLog.length === 1 && d.attemptLog[0]!.status === 200)).toBe(true);
    expect(done[0]!.origin).toBe('https://hooks.example.com');
    expect(JSON.stringify(done)).not.toContain('secret-path');
    // Nothing more is due: the alarm has nothing left to run for notifications.
    expect(await runDurableObjectAlarm(coordinator.stub)).toBe(false);
  });

  it('a repeated tick (same scheduledTime) adds no delivery', async () => {
    const receiver = new FakeReceiver();
    const r = await setup([hook(['rollout.rolled_back'])]);
    await receiver.install(ENV);
    const at = r.startedAt + HOUR;
    await tickAt(at, { [r.id]: breached });
    expect(await tickAt(at, { [r.id]: breached })).toMatchObject({ duplicate: true, changed: [] });
    await tickAt(at + 60_000, { [r.id]: breached });
    expect(await deliveries()).toHaveLength(1);
    await runDurableObjectAlarm(coordinator.stub);
    expect(receiver.received).toHaveLength(1);
  });
});

describe('other decisions', () => {
  it('an operator rollback is sent as decided by the operator, with the reason given', async () => {
    const receiver = new FakeReceiver();
    const r = await setup([hook(['rollout.rolled_back'])]);
    await receiver.install(ENV);
    clock.advance(60_000);
    const out = await coordinator.api.rolloutAction(r.id, 'rollback', { reason: 'error spike in EU' }, 'alice', clock.now, false);
    expect(out).toMatchObject({ ok: true, value: { status: 'rolled_back', changed: true } });
    await runDurableObjectAlarm(coordinator.stub);
    expect(receiver.received).toHaveLength(1);
    expect(JSON.parse(receiver.received[0]!.body)).toMatchObject({
      event: 'rollout.rolled_back',
      action: 'rollout.rollback',
      decidedBy: { actor: 'alice', automatic: false },
      reason: 'error spike in EU',
      rollout: { id: r.id, status: 'rolled_back', percent: 0 },
    });
  });

  it('a completed rollout sends rollout.completed and the config change that makes its variant the default', async () => {
    const receiver = new FakeReceiver();
    const { api } = coordinator;
    await api.putConfig(
      { document: withNotifications(ENV, [hook(['rollout.completed', 'config.changed'])]), ifMatch: null, actor: 'tester', reason: null, confirmed: false },
      clock.now,
    );
    await receiver.install(ENV);
    await runDurableObjectAlarm(coordinator.stub);
    clock.advance(1000);
    const started = await api.startRollout({ flag: 'new-checkout', variant: 'on', strategy: 'instant', reason: 'go' }, 'tester', clock.now, false);
    if (!started.ok) throw new Error(started.error);
    const bakeEnds = started.value.startedAt + started.value.plan.bakeSeconds * 1000;
    await tickAt(bakeEnds + 60_000, { [started.value.id]: { ...healthy, bake: healthy.window } });
    await runDurableObjectAlarm(coordinator.stub);
    expect(receiver.received.map((q) => [q.headers.get('x-rollgate-event'), (JSON.parse(q.body) as { action: string }).action])).toEqual([
      ['config.changed', 'config.put'],
      // In the order of their audit entries (one transaction: the config version is written first).
      ['config.changed', 'config.rollout_completed'],
      ['rollout.completed', 'rollout.auto_completed'],
    ]);
  });
});

describe('retries', () => {
  it('500 twice then 200: three attempts with 2 s then 8 s of backoff, one success, every attempt recorded', async () => {
    const receiver = new FakeReceiver([500, 500, 200]);
    const r = await setup([hook(['rollout.rolled_back'])]);
    await receiver.install(ENV);
    await tickAt(r.startedAt + HOUR, { [r.id]: breached });
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
    const r = await setup([
      hook(['rollout.promoted', 'rollout.rolled_back']),
      { name: 'other', url: 'https://other.example.com/h', events: ['rollout.rolled_back'] },
    ]);
    await receiver.install(ENV);
    await tickAt(r.startedAt + 24 * HOUR, { [r.id]: healthy });
    await tickAt(r.startedAt + 25 * HOUR, { [r.id]: breached });
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
    const r = await setup([hook(['rollout.rolled_back'])]);
    await receiver.install(ENV);
    await tickAt(r.startedAt + HOUR, { [r.id]: breached });
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
    const r = await setup([hook(['rollout.rolled_back'])], 'qa');
    await receiver.install('qa');
    await tickAt(r.startedAt + HOUR, { [r.id]: breached }, 'qa');
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
    const r = await setup([hook(['rollout.promoted', 'rollout.rolled_back'])]);
    await receiver.install(ENV);
    await tickAt(r.startedAt + 24 * HOUR, { [r.id]: healthy });
    // The alarm sends the promotion to a receiver that does not answer; it is left running.
    let alarmDone = false;
    const alarm = runDurableObjectAlarm(coordinator.stub).then(() => (alarmDone = true));
    await receiver.waitFor(1);

    const started = performance.now();
    const tick = await tickAt(r.startedAt + 25 * HOUR, { [r.id]: breached });
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
    const r = await setup([hook(['rollout.rolled_back'])]);
    await tickAt(r.startedAt + HOUR, { [r.id]: breached });
    await evictDurableObject(coordinator.stub);
    // The new instance gets the receiver; the outbox and the alarm survived in storage.
    await receiver.install(ENV);
    expect(await runDurableObjectAlarm(coordinator.stub)).toBe(true);
    expect(receiver.received).toHaveLength(1);
    expect(await runDurableObjectAlarm(coordinator.stub)).toBe(false);
    expect((await deliveries()).map((d) => d.status)).toEqual(['delivered']);
  });

  it('an attempt cut short by an eviction counts, is recorded as interrupted and is retried after its backoff', async () => {
    const r = await setup([hook(['rollout.rolled_back'])]);
    await tickAt(r.startedAt + HOUR, { [r.id]: breached });
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
