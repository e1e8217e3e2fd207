import { env } from 'cloudflare:workers';
import { beforeEach } from 'vitest';
import { snapshotKey } from '../../src/store/keys';
import { admin, TOKENS } from './admin';
import { ENV, expectStatus, FLAG, MIN, type Sim, TREATMENT } from './health-sim';
import { simEachTest } from './sim-kit';

/**
 * The key-scope tests (adversarial/scopes.*.test.ts) on a fresh Sim for every test of the file
 * that calls this (at its top level), set up with the config and the fixture's two keys ("web",
 * evaluate; "reporter", report) before the test; the Sim is handed to `onSim`. The helpers act on
 * the current Sim.
 */
export function scopesEachTest(onSim: (sim: Sim) => void) {
  const { sim } = simEachTest(onSim);
  beforeEach(async () => {
    await sim().setup();
  });

  return {
    /** What the treatment's shard holds over the two hours around T0. */
    stored: () => env.METRICS.getByName(`${ENV}/${FLAG}`).window(TREATMENT, sim().T0 - 60 * MIN, sim().T0 + 60 * MIN),

    /** The admin plane still answers for the environment. */
    adminAnswers: async (): Promise<void> => {
      await expectStatus(admin(sim().h, 'GET', '/environments'), 200);
      await expectStatus(admin(sim().h, 'GET', `/environments/${ENV}/keys`, { token: TOKENS.viewer }), 200);
    },

    /** Everything a refused key request must leave as it was. */
    keyState: async (): Promise<unknown> => {
      const keys = await (await admin(sim().h, 'GET', `/environments/${ENV}/keys`, { token: TOKENS.viewer })).json();
      const audit = await (await admin(sim().h, 'GET', `/environments/${ENV}/audit?limit=500`)).json();
      return { keys, audit, kv: await env.FLAGS.get(snapshotKey(ENV)) };
    },
  };
}
