/**
 * Publishing: every admin change puts a new snapshot of the resolved flags in KV, which OFREP
 * serves after its next refresh; a change within a second of the last publish goes out by the alarm.
 */
import { describe, expect, it } from 'vitest';
import { resolveEnvironment } from '../src/core/config/resolve-environment';
import { sha256Hex } from '../src/core/sha256';
import { adminKit, json, type Json, SNAPSHOT_REFRESH_MS } from './helpers/admin-kit';
import { configWith, kvSnapshot, runPublishAlarm, validConfig } from './helpers/coordinator';

const kit = adminKit();
const { admin, putConfig, seedStaging, issueKey, evaluate } = kit;

describe('publishing', () => {
  it('puts a snapshot in KV after each change, with an increasing version and the resolved flags, served by OFREP', async () => {
    await seedStaging();
    const first = await kvSnapshot('staging');
    expect(first!.$rollgate).toMatchObject({ format: 1, environment: 'staging', version: 1, clientKeys: [] });
    expect(first!.flags).toEqual(resolveEnvironment(validConfig(), 'staging').flags);

    const key = await issueKey('staging', 'web');
    const second = await kvSnapshot('staging');
    expect(second!.$rollgate.version).toBeGreaterThan(first!.$rollgate.version);
    expect(second!.$rollgate.clientKeys).toEqual([{ name: 'web', sha256: await sha256Hex(key), scopes: ['evaluate'] }]);

    const served = await evaluate('banner', key);
    expect(served.status).toBe(200);
    expect(await json(served)).toMatchObject({ value: 'Hello from staging', variant: 'everyone', metadata: { flagSetVersion: second!.$rollgate.version } });

    kit.clock.advance(1000);
    const next = configWith((c) => (c.flags['banner']!.environments = { staging: { variants: { everyone: 'Hello again' } } }));
    expect((await putConfig('staging', next)).status).toBe(200);
    const third = await kvSnapshot('staging');
    expect(third!.$rollgate.version).toBeGreaterThan(second!.$rollgate.version);
    expect(third!.flags).toEqual(resolveEnvironment(next, 'staging').flags);

    // The Worker picks the new snapshot up at its next refresh.
    kit.clock.advance(SNAPSHOT_REFRESH_MS);
    expect(await json(await evaluate('banner', key))).toMatchObject({ value: 'Hello again', metadata: { flagSetVersion: third!.$rollgate.version } });

    // Each environment has its own snapshot: production was never written.
    expect(await kvSnapshot('production')).toBeNull();
    const summaries = await json(await admin('GET', '/environments'));
    expect(summaries['environments'].find((e: Json) => e['environment'] === 'staging')).toMatchObject({
      configVersion: 2,
      snapshotVersion: third!.$rollgate.version,
      publishedVersion: third!.$rollgate.version,
      lastPublishError: null,
    });
  });

  it('publishes a change made within a second of the last one through the alarm', async () => {
    await seedStaging();
    const next = configWith((c) => (c.flags['static-bool']!.defaultVariant = 'off'));
    expect((await putConfig('staging', next)).status).toBe(200);
    expect((await kvSnapshot('staging'))!.$rollgate.version).toBe(1);
    expect(await runPublishAlarm('staging', kit.clock)).toBe(true);
    const snap = await kvSnapshot('staging');
    expect(snap!.$rollgate.version).toBe(2);
    expect(snap!.flags).toEqual(resolveEnvironment(next, 'staging').flags);
  });
});
