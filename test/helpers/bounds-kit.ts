import { env } from 'cloudflare:workers';
import { beforeEach } from 'vitest';
import { admin } from './admin';
import { json } from './admin-kit';
import { ENV, expectStatus, FLAG, MIN, type Report, type Sim } from './health-sim';
import { simEachTest } from './sim-kit';

/**
 * The bounds tests (adversarial/bounds.*.test.ts, issue 9 §2) on a fresh Sim for every test of the
 * file that calls this (at its top level), set up with the config and the fixture's keys before
 * the test; the Sim is handed to `onSim`. The helpers act on the current Sim.
 */
export function boundsEachTest(onSim: (sim: Sim) => void) {
  const { sim } = simEachTest(onSim);
  beforeEach(async () => {
    await sim().setup();
  });

  return {
    /** What a variant's shard holds over the hour around now. */
    stored: (variant: string, flag = FLAG) => env.METRICS.getByName(`${ENV}/${flag}`).window(variant, sim().clock.now - 30 * MIN, sim().clock.now + 30 * MIN),

    /** A valid report of 10 requests a minute ago, with `r` changed. */
    report: (r: Partial<Report> = {}): Report => ({
      flag: FLAG,
      variant: 'on',
      timestamp: sim().clock.now - MIN,
      count: 10,
      errors: 0,
      latencyMs: [12],
      ...r,
    }),

    rollouts: async (): Promise<any[]> => (await json(await expectStatus(admin(sim().h, 'GET', `/environments/${ENV}/rollouts`), 200))).rollouts,

    configVersion: async (): Promise<number> => (await json(await expectStatus(admin(sim().h, 'GET', `/environments/${ENV}/flags`), 200))).version,

    /** The admin plane answers and a cron tick runs without throwing. */
    stillWorking: async (): Promise<void> => {
      await expectStatus(admin(sim().h, 'GET', '/environments'), 200);
      await expectStatus(admin(sim().h, 'GET', `/environments/${ENV}/rollouts`), 200);
      await sim().tick(sim().clock.now + MIN);
      await expectStatus(admin(sim().h, 'GET', '/environments'), 200);
    },
  };
}
