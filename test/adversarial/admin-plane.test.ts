import { runInDurableObject } from 'cloudflare:test';
import { env } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import { adminKit } from '../helpers/admin-kit';
import { validConfig } from '../helpers/coordinator';

// The environment list is the admin plane's front door: one coordinator that cannot answer must
// not take it down for the others.

const kit = adminKit();
const { admin } = kit;

describe('GET /admin/v1/environments with one coordinator that throws', () => {
  it('lists every other environment and names the one that did not answer', async () => {
    for (const environment of ['development', 'staging']) {
      kit.clock.advance(1000);
      expect((await admin('PUT', `/environments/${environment}/flags`, { body: validConfig() })).status).toBe(200);
    }
    // A coordinator that lost the name it keeps in storage throws on every call that needs it: the
    // worst case of a coordinator that cannot answer, reproducible without faking the runtime.
    await runInDurableObject(env.COORDINATOR.getByName('staging'), (_instance, state) => {
      state.storage.sql.exec("DELETE FROM meta WHERE key = 'environment'");
    });
    const res = await admin('GET', '/environments');
    expect(res.status, await res.clone().text()).toBe(200);
    const body = await res.json<{
      environments: Array<{ environment: string; configVersion: number | null }>;
      unavailable: Array<{ environment: string; error: string }>;
    }>();
    expect(body.environments.map((e) => [e.environment, e.configVersion])).toEqual([
      ['development', 1],
      ['production', null],
    ]);
    expect(body.unavailable).toEqual([{ environment: 'staging', error: expect.stringContaining('summary_failed') }]);
    // The internal message stays in the logs.
    expect(JSON.stringify(body.unavailable)).not.toContain('getByName');
  });
});
