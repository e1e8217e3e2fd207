import { notificationsOf } from '../core/config/notification-rules';
import { notificationEventsOf } from '../core/notifications/events';
import { deliveryBody, notificationPayload } from '../core/notifications/payload';
import { logEvent, nameForLog } from '../log';
import { SYSTEM_ACTOR } from './actors';
import type { AuditRecord } from './audit-log';
import type { ConfigVersions } from './config-versions';
import type { NewDelivery, NotificationOutbox } from './notification-outbox';
import { isBroken, type RolloutRows } from './rollout-rows';

/** What enqueueing reads: the latest config (its receivers), the rollout an entry concerns, the outbox. */
export interface NotifyDeps {
  configs: ConfigVersions;
  rollouts: RolloutRows;
  outbox: NotificationOutbox;
  environment: () => string;
}

/**
 * Enqueues a delivery for every configured notification subscribed to the events of an audit
 * entry; runs inside the entry's transaction (the outbox). It never throws: a notification that
 * cannot be built must not undo the decision it reports (a rollback stays committed), so it is
 * logged instead.
 */
export function enqueueNotifications(deps: NotifyDeps, auditId: number, at: number, record: AuditRecord): void {
  try {
    const environment = deps.environment();
    const events = notificationEventsOf(record.action, record.diff);
    if (events.length === 0) return;
    const config = deps.configs.latest()?.config;
    const receivers = config ? notificationsOf(config, environment) : [];
    if (receivers.length === 0) return;
    const stored = record.action.startsWith('rollout.') ? deps.rollouts.get(record.target) : null;
    const rollout = stored && !isBroken(stored) ? stored : null;
    const audit = {
      id: auditId,
      actor: record.actor,
      action: record.action,
      target: record.target,
      flags: record.flags,
      reason: record.reason ?? null,
      diff: record.diff,
    };
    const rows: NewDelivery[] = [];
    for (const event of events) {
      for (const n of receivers) {
        if (!n.events.includes(event)) continue;
        const id = `nd_${crypto.randomUUID()}`;
        const format = n.format ?? 'json';
        const payload = notificationPayload({ deliveryId: id, event, environment, at, automatic: record.actor === SYSTEM_ACTOR, audit, rollout });
        rows.push({
          id,
          notification: n.name,
          url: n.url,
          format,
          event,
          auditId,
          target: record.target,
          flag: payload.flag,
          body: deliveryBody(format, payload),
        });
      }
    }
    deps.outbox.enqueue(rows);
  } catch (err) {
    logEvent({
      event: 'notification_enqueue_failed',
      environment: nameForLog(deps.environment),
      action: record.action,
      target: record.target,
      message: (err as Error)?.message ?? String(err),
    });
  }
}
