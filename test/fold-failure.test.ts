import { describe, expect, it } from 'vitest';
import type { RolloutView } from '../src/coordinator/rollout-ops';
import type { TestClock } from './helpers/clock';
import { storeConfigVersion, validConfig } from './helpers/coordinator';
import { coordinatorEachTest, type CoordinatorWorld } from './helpers/coordinator-kit';

// A completed rollout whose variant cannot become the flag's default is not dropped silently:
// the rollout shows `foldError`, the audit log has `rollout.fold_failed`, and it stays completed.

const ENV = 'staging';
const HOUR = 3600 * 1000;
const healthy = { window: { kind: 'healthy', numbers: { samples: 500, errorRate: 0.0004, p95Ms: 120, p99Ms: 300 } } };
const healthyBake = { ...healthy, bake: { kind: 'healthy', numbers: { samples: 90_000, errorRate: 0.0003, p95Ms: 110 } } };

let clock: TestClock;
let api: CoordinatorWorld['api'];
const { tickAt, startSafeRollout, rolloutOf } = coordinatorEachTest(ENV, (world) => ({ clock, api } = world));

/** Stores a config version without the rollout's flag, as no admin write may (it is refused while the rollout runs). */
async function storeVersionWithoutFlag(): Promise<void> {
  const document = validConfig();
  delete document.flags['new-checkout'];
  await storeConfigVersion(ENV, document, clock.now, 'tester');
}

describe('a completed rollout whose fold fails', () => {
  it('stays completed, and shows and audits why its variant did not become the default', async () => {
    const r = await startSafeRollout();
    for (const hours of [24, 48, 72, 96, 120]) await tickAt(r.startedAt + hours * HOUR, { [r.id]: healthy });
    await storeVersionWithoutFlag();
    const versionsBefore = (await api.configHistory(50)) as { ok: boolean; value?: { versions: unknown[] } };

    await tickAt(r.startedAt + 168 * HOUR, { [r.id]: healthyBake });

    const done = await rolloutOf(r.id);
    expect(done.status).toBe('completed');
    expect(done.foldError).toEqual({ at: new Date(r.startedAt + 168 * HOUR).toISOString(), message: 'flag "new-checkout" is no longer in the config' });
    const listed = (await api.listRollouts()) as RolloutView[];
    expect(listed.find((x) => x.id === r.id)?.foldError?.message).toContain('no longer in the config');
    const audit = await api.auditPage({ limit: 50, action: 'rollout.fold_failed' });
    expect(audit.entries).toEqual([
      expect.objectContaining({
        action: 'rollout.fold_failed',
        target: r.id,
        diff: { variant: 'on', problem: 'flag "new-checkout" is no longer in the config' },
      }),
    ]);
    // No config version was written by the failed fold.
    expect(await api.configHistory(50)).toEqual(versionsBefore);
  });

  it('a fold that succeeds leaves no foldError', async () => {
    const r = await startSafeRollout();
    for (const hours of [24, 48, 72, 96, 120]) await tickAt(r.startedAt + hours * HOUR, { [r.id]: healthy });
    await tickAt(r.startedAt + 168 * HOUR, { [r.id]: healthyBake });
    const done = await rolloutOf(r.id);
    expect(done).toMatchObject({ status: 'completed' });
    expect(done).not.toHaveProperty('foldError');
    expect((await api.auditPage({ limit: 50, action: 'rollout.fold_failed' })).entries).toEqual([]);
  });
});
