import { env } from 'cloudflare:workers';
import { expect } from 'vitest';
import type { RollgateConfig } from '../../src/core/schema/config';
import { snapshotKey } from '../../src/store/keys';
import { admin, adminTokensVar, TOKENS } from './admin';
import { TestClock } from './clock';
import { validConfig } from './coordinator';
import { Harness } from './harness';
import { worldPerTest } from './world-per-test';

// Response bodies are checked field by field; a loose type keeps that readable.
export type Json = Record<string, any>;

const OFREP = '/ofrep/v1/evaluate/flags';
export const STAGING = '/environments/staging';
/** How long an isolate serves its snapshot before it looks at KV again. */
export const SNAPSHOT_REFRESH_MS = 5000;

export async function json(res: Response): Promise<Json> {
  return await res.json<Json>();
}

type AdminOptions = Parameters<typeof admin>[3];

/**
 * The admin API on a fresh world for every test of the file that calls it (at its top level):
 * registers the beforeEach that builds a Harness with ADMIN_TOKENS (helpers/admin.ts's TOKENS) and
 * a TestClock driving it, and the afterEach that restores the clock and resets storage. `h` and
 * `clock` are the current test's; the helpers act on them, so a file can destructure the helpers
 * once and call them like local functions.
 */
export function adminKit() {
  const { world } = worldPerTest(
    async () => {
      const h = new Harness();
      h.vars = { ADMIN_TOKENS: await adminTokensVar() };
      return { h, clock: new TestClock(h) };
    },
    ({ clock }) => clock.restore(),
  );

  const kit = {
    get h(): Harness {
      return world().h;
    },
    get clock(): TestClock {
      return world().clock;
    },

    /** helpers/admin.ts's admin() on the current harness: as the operator unless told otherwise. */
    admin: (method: string, path: string, options?: AdminOptions): Promise<Response> => admin(world().h, method, path, options),

    /** PUTs a config document as the editor unless told otherwise. */
    putConfig: (environment: string, document: unknown, options: { token?: string; headers?: Record<string, string> } = {}): Promise<Response> =>
      kit.admin('PUT', `/environments/${environment}/flags`, { token: options.token ?? TOKENS.editor, body: document, headers: options.headers ?? {} }),

    /** The whole audit log of an environment, newest first. */
    auditOf: async (environment: string, query = ''): Promise<Json[]> => {
      const res = await kit.admin('GET', `/environments/${environment}/audit?limit=500${query}`, { token: TOKENS.viewer });
      expect(res.status).toBe(200);
      return (await json(res))['entries'] as Json[];
    },

    /** The current config version of an environment, through the API. */
    versionOf: async (environment: string): Promise<number | null> => {
      const res = await kit.admin('GET', `/environments/${environment}/flags`, { token: TOKENS.viewer });
      return res.status === 200 ? ((await json(res))['version'] as number) : null;
    },

    /** Everything a refused write must leave as it was. */
    stateOf: async (environment: string): Promise<Json> => {
      const config = await kit.admin('GET', `/environments/${environment}/flags`, { token: TOKENS.viewer });
      return {
        config: config.status === 200 ? await json(config) : config.status,
        audit: await kit.auditOf(environment),
        kv: await env.FLAGS.get(snapshotKey(environment)),
      };
    },

    /** Writes the valid config (or `document`) to staging and checks it was accepted. */
    seedStaging: async (document: RollgateConfig = validConfig()): Promise<void> => {
      const res = await kit.putConfig('staging', document);
      expect(res.status).toBe(200);
    },

    /** Issues a client key in an environment (a second after the last publish, so it publishes at once); returns the secret. */
    issueKey: async (environment: string, name: string): Promise<string> => {
      world().clock.advance(1000);
      const res = await kit.admin('POST', `/environments/${environment}/keys`, { body: { name } });
      expect(res.status).toBe(201);
      return (await json(res))['key'] as string;
    },

    /** An OFREP evaluation of one flag with a client key. */
    evaluate: (flag: string, key: string, targetingKey = 'user-1'): Promise<Response> =>
      world().h.evaluate(`${OFREP}/${flag}`, { context: { targetingKey } }, key),

    /** Staging with the valid config and a client key; returns the key. */
    seedStagingWithKey: async (): Promise<string> => {
      await kit.seedStaging();
      return kit.issueKey('staging', 'web');
    },

    /** Starts a rollout in staging a second after the last write (a safe one of new-checkout → on by default); returns it. */
    startRollout: async (body: Json = { flag: 'new-checkout', variant: 'on', strategy: 'safe', reason: 'launch' }): Promise<Json> => {
      world().clock.advance(1000);
      const res = await kit.admin('POST', `${STAGING}/rollouts`, { body });
      expect(res.status).toBe(201);
      return json(res);
    },

    /** POSTs a rollout action (pause, resume, promote, rollback, …) in staging a second after the last write; no reason sends `{}`. */
    rolloutAction: (id: string, name: string, reason: string | undefined): Promise<Response> => {
      world().clock.advance(1000);
      return kit.admin('POST', `${STAGING}/rollouts/${id}/${name}`, { body: reason === undefined ? {} : { reason } });
    },
  };
  return kit;
}

export type AdminKit = ReturnType<typeof adminKit>;
