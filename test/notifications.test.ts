/**
 * Notifications through the coordinator in the Workers runtime, with the receiver as its injected
 * fetcher: what each decision sends (an automatic rollback, signed, with its numbers, sent by the
 * alarm and never duplicated by a repeated tick; operator rollbacks, completions, config changes).
 * Retries, a receiver that never answers and evictions: notification-delivery.test.ts. (A real
 * HTTP receiver on a loopback port is in test/e2e/notifications.e2e.test.ts.)
 */
import { runDurableObjectAlarm } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import type { TestClock } from './helpers/clock';
import { type CoordinatorWorld, coordinatorEachTest } from './helpers/coordinator-kit';
import { breached, deliveries, ENV, healthy, hook, HOOK, HOUR, setup, tickAt, withNotifications } from './helpers/notifications';
import { FakeReceiver, verifySignature } from './helpers/receiver';

let clock: TestClock;
let coordinator: CoordinatorWorld;
coordinatorEachTest(ENV, (world) => {
  coordinator = world;
  clock = world.clock;
});

describe('an automatic rollback', () => {
  it('produces exactly one signed delivery with the numbers, sent by the alarm and not by the tick', async () => {
    const receiver = new FakeReceiver();
    const r = await setup(clock, [hook(['rollout.rolled_back']), hook(['config.changed'], { name: 'config-watch', format: 'slack' })]);
    await receiver.install(ENV);
    const at = r.startedAt + HOUR;
    const tick = await tickAt(clock, at, { [r.id]: breached });
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
    const r = await setup(clock, [hook(['rollout.rolled_back'])]);
    await receiver.install(ENV);
    const at = r.startedAt + HOUR;
    await tickAt(clock, at, { [r.id]: breached });
    expect(await tickAt(clock, at, { [r.id]: breached })).toMatchObject({ duplicate: true, changed: [] });
    await tickAt(clock, at + 60_000, { [r.id]: breached });
    expect(await deliveries()).toHaveLength(1);
    await runDurableObjectAlarm(coordinator.stub);
    expect(receiver.received).toHaveLength(1);
  });
});

describe('other decisions', () => {
  it('an operator rollback is sent as decided by the operator, with the reason given', async () => {
    const receiver = new FakeReceiver();
    const r = await setup(clock, [hook(['rollout.rolled_back'])]);
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
    await tickAt(clock, bakeEnds + 60_000, { [started.value.id]: { ...healthy, bake: healthy.window } });
    await runDurableObjectAlarm(coordinator.stub);
    expect(receiver.received.map((q) => [q.headers.get('x-rollgate-event'), (JSON.parse(q.body) as { action: string }).action])).toEqual([
      ['config.changed', 'config.put'],
      // In the order of their audit entries (one transaction: the config version is written first).
      ['config.changed', 'config.rollout_completed'],
      ['rollout.completed', 'rollout.auto_completed'],
    ]);
  });
});
