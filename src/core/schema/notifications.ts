import * as z from './zod';

/** What an operator can be notified of. */
export const NOTIFICATION_EVENTS = [
  'rollout.rolled_back',
  'rollout.promoted',
  'rollout.completed',
  'rollout.held',
  'rollout.tick_failed',
  'config.changed',
  'key.revoked',
] as const;
export const zNotificationEvent = z.enum(NOTIFICATION_EVENTS);
export type NotificationEvent = z.infer<typeof zNotificationEvent>;

/** `json`: Rollgate's own payload; `slack`: a Slack-compatible incoming-webhook message. */
export const zNotificationFormat = z.enum(['json', 'slack']);
export type NotificationFormat = z.infer<typeof zNotificationFormat>;

/** Bounds of an environment's notifications: a handful of receivers is the use, each delivery is a fetch. */
export const NOTIFICATION_BOUNDS = { perEnvironment: 20, urlChars: 2048 } as const;

/**
 * A webhook an environment's coordinator calls after a decision. New with its bounds (no stored
 * config predates it), so the schema itself bounds names and events; the URL's rules (https, or
 * http to loopback) and duplicate names are checked by validateConfig, with their paths.
 */
export const zNotification = z.strictObject({
  name: z.string().check(z.regex(/^[A-Za-z0-9._-]{1,64}$/, 'names are 1-64 characters: letters, digits, . _ -')),
  url: z.string().check(z.maxLength(NOTIFICATION_BOUNDS.urlChars, `at most ${NOTIFICATION_BOUNDS.urlChars} characters`)),
  events: z.array(zNotificationEvent).check(
    z.minLength(1, `list at least one event: ${NOTIFICATION_EVENTS.join(', ')}`),
    z.maxLength(NOTIFICATION_EVENTS.length),
    z.refine((events) => new Set(events).size === events.length, 'an event is listed twice'),
  ),
  /** Absent means json (no default is filled in: the stored document stays the one written). */
  format: z.optional(zNotificationFormat),
});
export type Notification = z.infer<typeof zNotification>;
