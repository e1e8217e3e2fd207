import { reset, runInDurableObject } from 'cloudflare:test';
import { env } from 'cloudflare:workers';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { RolloutView } from '../src/coordinator/rollout-ops';
import { TestClock } from './helpers/clock';
import { coordinatorOf, validConfig } from './helpers/coordinator';
import { tickGiven } from './helpers/coordinator-deps';

// A completed rollout whose variant cannot become the flag's default is not dropped silently:
// the rollout shows `foldError`, the audit log has `rollout.fold_failed`, and it stays completed.

const ENV = 'staging';
const HOUR = 3600 * 1000;
const healthy = { window: { kind: 'healthy', numbers: { samples: 500, errorRate: 0.0004, p95Ms: 120, p99Ms: 300 } } };
const healthyBake = { ...healthy, bake: { kind: 'healthy', numbers: { samples: 90_000, errorRate: 0.0003, p95Ms: 110 } } };

let clock: TestClock;
let api: ReturnType<typeof coordinatorOf>['api'];

beforeEach(() => {
  clock = new TestClock();
  ({ api } = coordinatorOf(ENV));
});
afterEach(async () => {
  clock.restore();
  await reset();
});

function tickAt(at: number, health: Record<string, unknown>) {
  clock.set(at);
  return tickGiven(ENV, at, health);
}

/** Stores a config version without the rollout's flag, as no admin write may (it is refused while the rollout runs). */
async function storeVersionWithoutFlag(): Promise<void> {
  const document = validConfig();
  delete document.flags['new-checkout'];
  await runInDurableObject(env.COORDINATOR.getByName(ENV), (instance, state) => {
    const next = state.storage.sql.exec<{ v: number }>('SELECT MAX(version) AS v FROM config_versions').one().v + 1;
    state.storage.sql.exec(
      'INSERT INTO config_versions (version, document, created_at, actor, reason) VALUES (?, ?, ?, ?, ?)',
      next,
      JSON.stringify(document),
      clock.now,
      'tester',
      null,
    );
    (instance as unknown as { s: { configs: { forget(): void } } }).s.configs.forget();
  });
}

describe('a completed rollout whose fold fails', () => {
  it('stays completed, and shows and audits why its variant did not become the default', async () => {
    expect(await api.putConfig({ document: validConfig(), ifMatch: null, actor: 'tester', reason: null, confirmed: false }, clock.now)).toMatchObject({
      ok: true,
    });
    clock.advance(1000);
    const started = await api.startRollout({ flag: 'new-checkout', variant: 'on', strategy: 'safe' }, 'tester', clock.now, false);
    if (!started.ok) throw new Error(started.error);
    const r = started.value;
    for (const hours of [24, 48, 72, 96, 120]) await tickAt(r.startedAt + hours * HOUR, { [r.id]: healthy });
    await storeVersionWithoutFlag();
    const versionsBefore = (await api.configHistory(50)) as { ok: boolean; value?: { versions: unknown[] } };

    await tickAt(r.startedAt + 168 * HOUR, { [r.id]: healthyBake });

    const out = await api.getRollout(r.id);
    if (!out.ok) throw new Error(out.error);
    const done = out.value as RolloutView;
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
    await api.putConfig({ document: validConfig(), ifMatch: null, actor: 'tester', reason: null, confirmed: false }, clock.now);
    clock.advance(1000);
    const started = await api.startRollout({ flag: 'new-checkout', variant: 'on', strategy: 'safe' }, 'tester', clock.now, false);
    if (!started.ok) throw new Error(started.error);
    const r = started.value;
    for (const hours of [24, 48, 72, 96, 120]) await tickAt(r.startedAt + hours * HOUR, { [r.id]: healthy });
    await tickAt(r.startedAt + 168 * HOUR, { [r.id]: healthyBake });
    const out = await api.getRollout(r.id);
    if (!out.ok) throw new Error(out.error);
    expect(out.value).toMatchObject({ status: 'completed' });
    expect(out.value).not.toHaveProperty('foldError');
    expect((await api.auditPage({ limit: 50, action: 'rollout.fold_failed' })).entries).toEqual([]);
  });
});
