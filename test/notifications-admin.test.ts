/** GET /admin/v1/environments/{env}/notifications and notification configs through the admin API. */
import { runDurableObjectAlarm } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import type { RollgateConfig } from '../src/core/schema/config';
import { TOKENS } from './helpers/admin';
import { adminKit, type Json } from './helpers/admin-kit';
import { configWith, coordinatorOf } from './helpers/coordinator';
import { FakeReceiver } from './helpers/receiver';

const kit = adminKit();
const { admin } = kit;

function withHook(url: string): RollgateConfig {
  return configWith((c) => {
    c.environments = ['development', { name: 'staging', notifications: [{ name: 'ops', url, events: ['config.changed', 'key.revoked'] }] }, 'production'];
  });
}

describe('notification config through the admin API', () => {
  it('refuses a plain-http URL that is not loopback with 422 and its path, and changes nothing', async () => {
    const res = await admin('PUT', '/environments/staging/flags', { body: withHook('http://hooks.example.com/x') });
    expect(res.status).toBe(422);
    expect((await res.json<Json>())['errors']).toContainEqual({
      path: '/environments/1/notifications/0/url',
      message: 'notifications call https URLs of public hosts: plain http is only allowed to loopback (127.0.0.1, [::1], localhost); use https',
    });
    expect((await admin('GET', '/environments/staging/flags')).status).toBe(404);
  });
});

describe('GET /admin/v1/environments/{env}/notifications', () => {
  async function twoDeliveries(): Promise<void> {
    const receiver = new FakeReceiver([500, 200]);
    expect((await admin('PUT', '/environments/staging/flags', { body: withHook('https://hooks.example.com/secret/path') })).status).toBe(200);
    await receiver.install('staging');
    kit.clock.advance(1000);
    expect((await admin('POST', '/environments/staging/keys', { body: { name: 'web' } })).status).toBe(201);
    expect((await admin('DELETE', '/environments/staging/keys/web')).status).toBe(200);
    // config.changed gets a 500 (and waits), key.revoked waits behind it.
    await runDurableObjectAlarm(coordinatorOf('staging').stub);
    expect(receiver.received).toHaveLength(1);
  }

  it('lists recent deliveries newest first for a viewer; failed=true keeps the failing ones; limit bounds', async () => {
    await twoDeliveries();
    const res = await admin('GET', '/environments/staging/notifications', { token: TOKENS.viewer });
    expect(res.status).toBe(200);
    expect(res.headers.get('cache-control')).toBe('no-store');
    const { deliveries } = await res.json<{ deliveries: Json[] }>();
    expect(deliveries.map((d) => [d['event'], d['status'], d['attempts'], d['lastStatus']])).toEqual([
      ['key.revoked', 'pending', 0, null],
      ['config.changed', 'pending', 1, 500],
    ]);
    expect(deliveries[1]).toMatchObject({ notification: 'ops', origin: 'https://hooks.example.com', format: 'json', lastError: 'status 500' });
    expect(JSON.stringify(deliveries)).not.toContain('secret/path');

    const failed = await admin('GET', '/environments/staging/notifications?failed=true&limit=5', { token: TOKENS.stagingViewer });
    expect((await failed.json<{ deliveries: Json[] }>()).deliveries.map((d) => d['event'])).toEqual(['config.changed']);
    const one = await admin('GET', '/environments/staging/notifications?limit=1', { token: TOKENS.viewer });
    expect((await one.json<{ deliveries: Json[] }>()).deliveries).toHaveLength(1);
  });

  it.each([
    ['?limit=0', 400],
    ['?limit=501', 400],
    ['?limit=abc', 400],
    ['?failed=yes', 400],
  ])('%s → %i', async (query, status) => {
    const res = await admin('GET', `/environments/staging/notifications${query}`, { token: TOKENS.viewer });
    expect(res.status).toBe(status);
  });

  it('needs a token for the environment: 401 without, 403 for another environment, 404 for an unknown one', async () => {
    expect((await admin('GET', '/environments/staging/notifications', { token: null })).status).toBe(401);
    expect((await admin('GET', '/environments/production/notifications', { token: TOKENS.stagingViewer })).status).toBe(403);
    expect((await admin('GET', '/environments/nowhere/notifications', { token: TOKENS.viewer })).status).toBe(404);
  });
});
