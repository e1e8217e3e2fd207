import { expect } from 'vitest';
import type { ConfigWrite } from '../../src/coordinator/config-ops';
import type { RolloutView } from '../../src/coordinator/rollout-ops';
import type { RollgateConfig } from '../../src/core/schema/config';
import { TestClock } from './clock';
import { coordinatorOf, validConfig } from './coordinator';
import { tickGiven } from './coordinator-deps';
import { Harness } from './harness';
import { worldPerTest } from './world-per-test';

/** One test's world: the clock and a fresh stub of the coordinator (reset() breaks the stubs made before it). */
export interface CoordinatorWorld extends ReturnType<typeof coordinatorOf> {
  clock: TestClock;
}

/** A world that also has the Worker (a Harness) on the same clock, for tests of what the edge reads of what the coordinator publishes. */
export interface CoordinatorEdgeWorld extends CoordinatorWorld {
  h: Harness;
}

/** A config write by "tester", unconfirmed. */
export function write(document: RollgateConfig, ifMatch: number | null = null): ConfigWrite {
  return { document, ifMatch, actor: 'tester', reason: null, confirmed: false };
}

/**
 * One environment's coordinator, called directly, on a fresh world for every test of the file
 * that calls this (at its top level): registers the beforeEach that makes a TestClock and the
 * coordinator's stub and hands them to `onWorld` (to keep in the file's own variables), and the
 * afterEach that restores the clock and resets storage. The helpers act on the current world.
 */
export function coordinatorEachTest(environment: string, onWorld: (world: CoordinatorWorld) => void) {
  return eachTest(environment, () => ({ clock: new TestClock(), ...coordinatorOf(environment) }), onWorld);
}

/** coordinatorEachTest, with a Harness (the Worker, for OFREP and admin calls) that the clock drives too. */
export function coordinatorAndEdgeEachTest(environment: string, onWorld: (world: CoordinatorEdgeWorld) => void) {
  return eachTest(
    environment,
    () => {
      const h = new Harness();
      return { h, clock: new TestClock(h), ...coordinatorOf(environment) };
    },
    onWorld,
  );
}

function eachTest<W extends CoordinatorWorld>(environment: string, make: () => W, onWorld: (world: W) => void) {
  const { world } = worldPerTest<W>(make, ({ clock }) => clock.restore(), onWorld);

  const kit = {
    /** A cron tick at `at`, with the object's clock there too, as in production (scheduledTime ≈ now). */
    tickAt: (at: number, health: Record<string, unknown>) => {
      world().clock.set(at);
      return tickGiven(environment, at, health);
    },

    /** Writes the valid config, then starts a safe rollout of new-checkout → on a second later; returns the rollout. */
    startSafeRollout: async (): Promise<RolloutView> => {
      const { api, clock } = world();
      const put = await api.putConfig(write(validConfig()), clock.now);
      expect(put).toMatchObject({ ok: true, value: { version: 1, changed: true } });
      clock.advance(1000);
      const started = await api.startRollout({ flag: 'new-checkout', variant: 'on', strategy: 'safe', reason: 'launch' }, 'tester', clock.now, false);
      if (!started.ok) throw new Error(`start refused: ${started.error}`);
      return started.value;
    },

    rolloutOf: async (id: string): Promise<RolloutView> => {
      const out = await world().api.getRollout(id);
      if (!out.ok) throw new Error(out.error);
      return out.value as RolloutView;
    },

    auditCount: async (): Promise<number> => (await world().api.auditPage({ limit: 500 })).entries.length,
  };
  return kit;
}
