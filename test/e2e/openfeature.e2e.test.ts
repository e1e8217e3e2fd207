/**
 * End to end: `npm start`'s script (validate, seed local KV, wrangler dev) serves the example
 * config, and a real OpenFeature client (server SDK + OFREP provider) evaluates flags against it.
 * Its state and seed record go to a temporary directory (ROLLGATE_STATE_DIR), never into the
 * checkout's .wrangler/state, which a developer's running `npm start` may be using.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { OFREPProvider } from '@openfeature/ofrep-provider';
import { OpenFeature } from '@openfeature/server-sdk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort, waitForOk } from './support';

let server: ChildProcess | undefined;
let baseUrl = '';
let output = '';
const stateDir = mkdtempSync(join(tmpdir(), 'rollgate-openfeature-e2e-'));
const config = JSON.parse(readFileSync('config/flags.json', 'utf8')) as { flags: Record<string, { variants: Record<string, unknown> }> };

beforeAll(async () => {
  const port = await freePort();
  baseUrl = `http://127.0.0.1:${port}`;
  server = spawn('tsx', ['scripts/dev/start.ts'], {
    env: { ...process.env, PORT: String(port), ROLLGATE_STATE_DIR: stateDir, ROLLGATE_ENV_FILE: '.dev.vars.example' },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  server.stdout!.on('data', (d: Buffer) => (output += d.toString()));
  server.stderr!.on('data', (d: Buffer) => (output += d.toString()));
  await waitForOk(
    `${baseUrl}/health`,
    () => server,
    () => output,
    Date.now() + 60_000,
  );
  // /health answers once wrangler dev does; the seed finishes a moment later.
  while (!output.includes('rollgate: ready on') && server?.exitCode === null) await new Promise((r) => setTimeout(r, 100));
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
  rmSync(stateDir, { recursive: true, force: true });
});

describe('npm start + OpenFeature OFREP client', () => {
  it('seeds every empty environment and records the seed beside its state', () => {
    for (const env of ['development', 'staging', 'production'])
      expect(output).toContain(`rollgate: ${env}: seeded config/flags.json as config version 1, client key dev-client-${env}`);
    const record = JSON.parse(readFileSync(join(stateDir, 'rollgate-seed.json'), 'utf8')) as { environments: Record<string, { version: number }> };
    expect(Object.keys(record.environments).sort()).toEqual(['development', 'production', 'staging']);
  });

  it('reports every environment seeded from config/flags.json', async () => {
    const health = await (await fetch(`${baseUrl}/health`)).json<{ environments: Record<string, { source: string; version: number }> }>();
    expect(Object.keys(health.environments).sort()).toEqual(['development', 'production', 'staging']);
    for (const env of Object.values(health.environments)) expect(env.source).toBe('kv');
  });

  it('evaluates flags through the OpenFeature server SDK', async () => {
    await OpenFeature.setProviderAndWait('e2e', new OFREPProvider({ baseUrl, headers: [['Authorization', 'Bearer dev-client-production']] }));
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
