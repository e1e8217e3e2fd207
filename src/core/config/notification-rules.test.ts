import { describe, expect, it } from 'vitest';
import type { Notification } from '../schema/notifications';
import { notificationsOf } from './notification-rules';
import { webhookUrlProblem } from './public-url';
import { validateConfig } from './validate';

function docWith(notifications: unknown): unknown {
  return { environments: ['development', { name: 'staging', notifications }], flags: {} };
}

const hook = (extra: Partial<Notification> = {}): Notification => ({
  name: 'ops',
  url: 'https://hooks.example.com/x',
  events: ['rollout.rolled_back'],
  ...extra,
});

describe('webhookUrlProblem', () => {
  it('accepts https to public hosts, and http or https to loopback only', () => {
    for (const url of [
      'https://hooks.slack.com/services/T0/B0/xyz',
      'https://8.8.8.8/hook',
      'http://127.0.0.1:9000/hook',
      'http://localhost:9000/',
      'http://[::1]:8080/h',
      'https://127.0.0.2/',
    ])
      expect(webhookUrlProblem(url), url).toBeNull();
  });

  it.each([
    ['http://hooks.example.com/x', /plain http is only allowed to loopback/],
    ['ftp://hooks.example.com/x', /scheme "ftp"/],
    ['https://user:pw@hooks.example.com/', /credentials/],
    ['https://10.0.0.8/hook', /private/],
    ['https://169.254.169.254/latest/meta-data', /link-local/],
    ['https://metadata.google.internal/', /internal name/],
    ['http://0x7f.1/', null],
    ['not a url', /not a URL/],
  ])('%s', (url, problem) => {
    if (problem === null) expect(webhookUrlProblem(url)).toBeNull();
    else expect(webhookUrlProblem(url)).toMatch(problem);
  });
});

describe('validateConfig: notifications', () => {
  it('accepts a valid list and notificationsOf finds it by environment', () => {
    const r = validateConfig(docWith([hook(), hook({ name: 'slack', format: 'slack', events: ['config.changed', 'rollout.held'] })]));
    expect(r.errors).toEqual([]);
    expect(notificationsOf(r.config!, 'staging').map((n) => n.name)).toEqual(['ops', 'slack']);
    expect(notificationsOf(r.config!, 'development')).toEqual([]);
    expect(notificationsOf(r.config!, 'toString')).toEqual([]);
  });

  it('refuses duplicate names, bad URLs and too many notifications, each at its path', () => {
    const r = validateConfig(docWith([hook(), hook({ url: 'http://hooks.example.com/x' }), ...Array.from({ length: 19 }, (_, i) => hook({ name: `n${i}` }))]));
    expect(r.errors).toEqual([
      { path: '/environments/1/notifications', message: 'at most 20 notifications per environment' },
      { path: '/environments/1/notifications/1/name', message: 'duplicate notification "ops"' },
      {
        path: '/environments/1/notifications/1/url',
        message: 'notifications call https URLs of public hosts: plain http is only allowed to loopback (127.0.0.1, [::1], localhost); use https',
      },
    ]);
  });

  it.each([
    [{ events: [] }, '/environments/1/notifications/0/events'],
    [{ events: ['rollout.exploded'] }, '/environments/1/notifications/0/events/0'],
    [{ events: ['config.changed', 'config.changed'] }, '/environments/1/notifications/0/events'],
    [{ format: 'teams' }, '/environments/1/notifications/0/format'],
    [{ name: 'has space' }, '/environments/1/notifications/0/name'],
    [{ url: `https://hooks.example.com/${'x'.repeat(2048)}` }, '/environments/1/notifications/0/url'],
    [{ secret: 'inline' }, '/environments/1/notifications/0/secret'],
  ])('refuses %j', (change, path) => {
    const r = validateConfig(docWith([{ ...hook(), ...change }]));
    expect(r.ok).toBe(false);
    expect(r.errors.map((e) => e.path)).toContain(path);
  });
});
