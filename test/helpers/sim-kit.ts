import { expect, vi } from 'vitest';
import { Sim } from './health-sim';
import { worldPerTest } from './world-per-test';

/** How many users a cohort check evaluates. */
export const USERS = 10_000;

/** A metrics window with no reports in it. */
export const NOTHING = { samples: 0, errors: 0, errorRate: null, p95Ms: null, p99Ms: null };

/** Indexes of the users whose value is the rollout's (true). */
function treated(values: readonly unknown[]): Set<number> {
  const out = new Set<number>();
  values.forEach((v, i) => {
    if (v === true) out.add(i);
    else expect(v, `user-${i}`).toBe(false);
  });
  return out;
}

/**
 * A fresh simulated world (helpers/health-sim.ts's Sim) for every test of the file that calls this
 * (at its top level): registers the beforeEach that makes a Sim and hands it to `onSim` (to keep
 * in the file's own variable), and the afterEach that restores mocks and the clock and resets
 * storage. The helpers act on the current Sim; `sim()` is the current Sim.
 */
export function simEachTest(onSim: (sim: Sim) => void) {
  const { world: sim, replace } = worldPerTest(
    () => new Sim(),
    ({ clock }) => {
      vi.restoreAllMocks();
      clock.restore();
    },
    onSim,
  );

  return {
    sim,

    /** Replaces this test's Sim with one that starts at `T0` (and hands it to `onSim` too). */
    restartAt: (T0: number): void => {
      sim().clock.restore();
      replace(new Sim(T0));
    },

    /** Evaluates the 10,000 users; checks the share within ±1.5 points of `percent` and that every earlier user is still in. Returns the cohort. */
    checkCohort: async (percent: number, earlier: ReadonlySet<number>): Promise<Set<number>> => {
      const cohort = treated(await sim().evaluateUsers(USERS));
      expect(Math.abs((cohort.size / USERS) * 100 - percent), `share ${cohort.size / 100}% at stage ${percent}%`).toBeLessThanOrEqual(1.5);
      const dropped = [...earlier].filter((i) => !cohort.has(i));
      expect(dropped, 'users who had the new variant at an earlier stage').toEqual([]);
      return cohort;
    },
  };
}
