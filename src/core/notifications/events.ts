import type { NotificationEvent } from '../schema/notifications';

/** The audit actions operators are notified of, by the event a notification subscribes to. */
const BY_ACTION: ReadonlyMap<string, NotificationEvent> = new Map([
  ['rollout.auto_rolled_back', 'rollout.rolled_back'],
  ['rollout.rollback', 'rollout.rolled_back'],
  ['rollout.auto_promoted', 'rollout.promoted'],
  ['rollout.promote', 'rollout.promoted'],
  ['rollout.auto_completed', 'rollout.completed'],
  ['rollout.auto_held', 'rollout.held'],
  ['rollout.tick_failed', 'rollout.tick_failed'],
  ['config.put', 'config.changed'],
  ['config.revert', 'config.changed'],
  ['config.rollout_completed', 'config.changed'],
  ['key.revoke', 'key.revoked'],
]);

/**
 * The notification events of an audit entry: its action's event, plus `rollout.completed` when
 * a rollout transition completed the rollout under another action's name (a bake that starts and
 * passes in one tick is audited as `rollout.auto_bake_started`). Actions nobody is notified of
 * (starts, pauses, key issues, snapshot repairs…) give none.
 */
export function notificationEventsOf(action: string, diff: unknown): NotificationEvent[] {
  const out: NotificationEvent[] = [];
  const mapped = BY_ACTION.get(action);
  if (mapped) out.push(mapped);
  if (action.startsWith('rollout.') && mapped !== 'rollout.completed' && eventTypes(diff).includes('completed')) out.push('rollout.completed');
  return out;
}

function eventTypes(diff: unknown): string[] {
  if (typeof diff !== 'object' || diff === null || !Object.hasOwn(diff, 'events')) return [];
  const events = (diff as { events: unknown }).events;
  if (!Array.isArray(events)) return [];
  return events.map((e: unknown) => (typeof e === 'object' && e !== null && Object.hasOwn(e, 'type') ? String((e as { type: unknown }).type) : ''));
}
