/**
 * The edge with every environment published: a Harness per test whose KV holds each environment's
 * snapshot (version 3, helpers/fixture.ts), for tests of OFREP and of the snapshot the edge serves.
 */
import { snapshotOf } from './fixture';
import { Harness } from './harness';
import { worldPerTest } from './world-per-test';

export const SINGLE = '/ofrep/v1/evaluate/flags';
export const ENVS = ['development', 'staging', 'production'];

/** Registers the per-test Harness (at a file's top level) and hands each test's to `onHarness`. */
export function edgeEachTest(onHarness: (h: Harness) => void): void {
  worldPerTest(
    async () => {
      const h = new Harness();
      for (const env of ENVS) await h.publish(await snapshotOf(env, 3));
      return h;
    },
    () => undefined,
    onHarness,
  );
}
