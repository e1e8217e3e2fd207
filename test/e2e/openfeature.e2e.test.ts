/**
 * End to end: `npm start`'s script (validate, seed local KV, wrangler dev) serves the example
 * config, and a real OpenFeature client (server SDK + OFREP provider) evaluates flags against it.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { OFREPProvider } from '@openfeature/ofrep-provider';
import { OpenFeature } from '@openfeature/server-sdk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort, waitForOk } from './support';

let server: ChildProcess | undefined;
let baseUrl = '';
let output = '';
const config = JSON.parse(readFileSync('config/flags.json', 'utf8')) as { flags: Record<string, { variants: Record<string, unknown> }> };



beforeAll(async () => {
  const port = await freePort();
  baseUrl = `http://127.0.0.1:${port}`;
  server = spawn('tsx', ['scripts/dev/start.ts'], { env: { ...process.env, PORT: String(port) }, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  server.stdout!.on('data', (d: Buffer) => (output += d.toString()));
  server.stderr!.on('data', (d: Buffer) => (output += d.toString()));
  await waitForOk(`${baseUrl}/health`, () => server, () => output, Date.now() + 60_000);
}, 90_000);

afterAll(async () => {
  if (server?.pid) {
    try {
      process.kill(-server.pid, 'SIGTERM');
    } catch {
      // already gone
    }
  }
  await OpenFeature.close();
});

describe('npm start + OpenFeature OFREP client', () => {
  it('reports every environment seeded from config/flags.json', async () => {
    const health = (await (await fetch(`${baseUrl}/health`)).json()) as { environments: Record<string, { source: string; version: number }> };
    expect(Object.keys(health.environments).sort()).toEqual(['development', 'production', 'staging']);
    for (const env of Object.values(health.environments)) expect(env.source).toBe('kv');
  });

  it('evaluates flags through the OpenFeature server SDK', async () => {
    await OpenFeature.setProviderAndWait(
      'e2e',
      new OFREPProvider({ baseUrl, headers: [['Authorization', 'Bearer dev-client-production']] }),
    );
    const client = OpenFeature.getClient('e2e');
    const checkout = await client.getBooleanDetails('new-checkout', true, { targetingKey: 'user-1' });
    expect(checkout.errorCode).toBeUndefined();
    expect(Object.values(config.flags['new-checkout']!.variants)).toContain(checkout.value);
    expect(checkout.flagMetadata['flagSetVersion']).toBeTypeOf('number');

    const banner = await client.getStringDetails('banner-text', 'fallback', { targetingKey: 'user-1' });
    expect(banner.errorCode).toBeUndefined();
    expect(Object.values(config.flags['banner-text']!.variants)).toContain(banner.value);

    const missing = await client.getBooleanDetails('no-such-flag', true, { targetingKey: 'user-1' });
    expect(missing.value).toBe(true);
    expect(missing.errorCode).toBe('FLAG_NOT_FOUND');
  });

  it('rejects a client that has no key', async () => {
    const res = await fetch(`${baseUrl}/ofrep/v1/evaluate/flags/new-checkout`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"context":{}}',
    });
    expect(res.status).toBe(401);
  });
});
