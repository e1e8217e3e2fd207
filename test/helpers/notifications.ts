/**
 * Driving a coordinator's notifications from a test: a config whose environment has
 * notifications, a safe rollout to decide on, ticks with given verdicts at a given time, and the
 * deliveries the coordinator records.
 */
import type { DeliveryView } from '../../src/coordinator/notification-outbox';
import type { RolloutView } from '../../src/coordinator/rollout-ops';
import type { RollgateConfig } from '../../src/core/schema/config';
import type { Notification } from '../../src/core/schema/notifications';
import type { TestClock } from './clock';
import { configWith, coordinatorOf } from './coordinator';
import { tickGiven } from './coordinator-deps';

export const ENV = 'staging';
export const HOUR = 3600 * 1000;
export const HOOK = 'https://hooks.example.com/rollgate/T123/secret-path';
export const breached = {
  window: {
    kind: 'breached',
    trigger: 'error_rate',
    numbers: { samples: 800, errorRate: 0.023, p95Ms: 140, p99Ms: 410, baseline: { samples: 7900, errorRate: 0.002, p95Ms: 120, p99Ms: 300 } },
  },
};
export const healthy = { window: { kind: 'healthy', numbers: { samples: 500, errorRate: 0.0004, p95Ms: 120, p99Ms: 300 } } };

/** validConfig with `notifications` on `environment` (and a qa environment, which has no webhook secret). */
export function withNotifications(environment: string, notifications: Notification[]): RollgateConfig {
  return configWith((c) => {
    c.environments = ['development', 'staging', 'qa', { name: 'production', protected: true }].map((e) => (e === environment ? { name: e, notifications } : e));
  });
}

/** Writes a config with `notifications` in `environment` and starts a safe rollout of new-checkout → on there. */
export async function setup(clock: TestClock, notifications: Notification[], environment = ENV): Promise<RolloutView> {
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

/** `environment`'s tick at `at` with the verdicts `health`, the clock set to `at`. */
export function tickAt(clock: TestClock, at: number, health: Record<string, unknown>, environment = ENV) {
  clock.set(at);
  return tickGiven(environment, at, health);
}

/** The deliveries `environment`'s coordinator lists, newest first. */
export async function deliveries(query: { failed?: boolean; limit?: number } = {}, environment = ENV): Promise<DeliveryView[]> {
  return (await coordinatorOf(environment).api.notifications({ failed: query.failed ?? false, limit: query.limit ?? 50 })).deliveries;
}

/** A webhook named "ops" to HOOK for `events`. */
export const hook = (events: Notification['events'], extra: Partial<Notification> = {}): Notification => ({ name: 'ops', url: HOOK, events, ...extra });
