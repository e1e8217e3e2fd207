/**
 * End to end: `npm start`'s script (validate, seed local KV, wrangler dev) serves the example
 * config, and a real OpenFeature client (server SDK + OFREP provider) evaluates flags against it.
 * Its state and seed record go to a temporary directory (ROLLGATE_STATE_DIR), never into the
 * checkout's .wrangler/state, which a developer's running `npm start` may be using.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { OFREPProvider } from '@openfeature/ofrep-provider';
import { OpenFeature } from '@openfeature/server-sdk';
import MurmurHash3 from 'imurmurhash';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stopGroupAndRemove } from '../../scripts/lib/process-group';
import { freePort, waitForOk } from './support';

let server: ChildProcess | undefined;
let baseUrl = '';
let output = '';
const stateDir = mkdtempSync(join(tmpdir(), 'rollgate-openfeature-e2e-'));
const config = JSON.parse(readFileSync('config/flags.json', 'utf8')) as { flags: Record<string, { variants: Record<string, unknown> }> };
const ADMIN = { authorization: 'Bearer dev-admin-token', 'content-type': 'application/json', 'x-rollgate-confirm': 'production' };

/**
 * The rollout cohort as the README defines it, computed without Rollgate's code: MurmurHash3 (x86,
 * 32-bit) of `rolloutId + targetingKey` by the imurmurhash package, its bucket in basis points as
 * flagd computes it (`hash × 10000 >> 32`), in the cohort when below `percent × 100`.
 */
function inCohort(rolloutId: string, targetingKey: string, percent: number): boolean {
  const hash = new MurmurHash3(rolloutId + targetingKey).result();
  return Number((BigInt(hash) * 10000n) >> 32n) < percent * 100;
}

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
  await OpenFeature.close();
  if (server) await stopGroupAndRemove(server, stateDir);
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
    // production's new-checkout: "on" only for internal users (an email rule), else its default "off".
    const checkout = await client.getBooleanDetails('new-checkout', true, { targetingKey: 'user-1' });
    expect(checkout.errorCode).toBeUndefined();
    expect(checkout).toMatchObject({ value: false, variant: 'off' });
    const health = await (await fetch(`${baseUrl}/health`)).json<{ environments: Record<string, { version: number }> }>();
    expect(checkout.flagMetadata['flagSetVersion']).toBe(health.environments['production']!.version);

    // banner-text: "black-friday" between two timestamps of the config, else "free-shipping" (no "de" locale).
    const seconds = Date.now() / 1000;
    const blackFriday = seconds >= 1795996800 && seconds < 1796428800;
    const banner = await client.getStringDetails('banner-text', 'fallback', { targetingKey: 'user-1' });
    expect(banner.errorCode).toBeUndefined();
    expect(banner.value).toBe(config.flags['banner-text']!.variants[blackFriday ? 'black-friday' : 'free-shipping']);

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

  it('splits a rollout at 50 % by murmur3(rolloutId + targetingKey); without a targetingKey the baseline below 100 %, the variant at 100 %', async () => {
    const started = await fetch(`${baseUrl}/admin/v1/environments/production/rollouts`, {
      method: 'POST',
      headers: ADMIN,
      body: JSON.stringify({
        flag: 'new-checkout',
        variant: 'on',
        strategy: 'fast',
        reason: 'e2e',
        stages: [
          { percent: 50, afterSeconds: 0 },
          { percent: 100, afterSeconds: 86_400 },
        ],
      }),
    });
    expect(started.status, await started.clone().text()).toBe(201);
    const { id } = await started.json<{ id: string }>();
    const client = OpenFeature.getClient('e2e');
    const details = (context: Record<string, string>) => client.getBooleanDetails('new-checkout', false, context);
    /** Evaluates until the edge serves the rollout at `percent` (isolates re-read KV every few seconds). */
    async function servedAt(percent: number): Promise<void> {
      const deadline = Date.now() + 20_000;
      while ((await details({ targetingKey: 'probe' })).flagMetadata['rolloutPercent'] !== percent) {
        if (Date.now() > deadline) throw new Error(`the rollout at ${percent} % never reached the edge`);
        await new Promise((r) => setTimeout(r, 250));
      }
    }

    await servedAt(50);
    const keys = Array.from({ length: 200 }, (_, i) => `user-${i}`);
    const got = await Promise.all(keys.map(async (targetingKey) => ({ targetingKey, ...(await details({ targetingKey })) })));
    for (const r of got) {
      const treated = inCohort(id, r.targetingKey, 50);
      expect({ key: r.targetingKey, value: r.value, variant: r.variant, reason: r.reason }).toEqual({
        key: r.targetingKey,
        value: treated,
        variant: treated ? 'on' : 'off',
        reason: 'SPLIT',
      });
      expect(r.flagMetadata).toMatchObject({ rolloutId: id, rolloutPercent: 50 });
    }
    // Both cohorts are there (so the comparison above is not all one side).
    expect(got.filter((r) => r.value).length).toBeGreaterThan(60);
    expect(got.filter((r) => !r.value).length).toBeGreaterThan(60);
    expect(await details({})).toMatchObject({ value: false, variant: 'off', reason: 'DEFAULT' });

    const promoted = await fetch(`${baseUrl}/admin/v1/environments/production/rollouts/${id}/promote`, {
      method: 'POST',
      headers: ADMIN,
      body: JSON.stringify({ reason: 'e2e' }),
    });
    expect(promoted.status, await promoted.clone().text()).toBe(200);
    await servedAt(100);
    expect(await details({})).toMatchObject({ value: true, variant: 'on', reason: 'SPLIT' });
    for (const targetingKey of keys.slice(0, 20)) expect(await details({ targetingKey })).toMatchObject({ value: true, variant: 'on' });
  }, 60_000);
});
