/**
 * The coordinator writes KV at most once a second per environment (KV's write limit per key; a
 * burst of changes is coalesced into one alarm write). A rollback is never held longer than that
 * one second: right after another publish it is written by the alarm at exactly the end of the
 * second (later changes do not push it back), and otherwise at once.
 */
import { runDurableObjectAlarm, runInDurableObject } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import type { RolloutView } from '../src/coordinator/rollout-ops';
import type { TestClock } from './helpers/clock';
import { configWith, kvSnapshot } from './helpers/coordinator';
import { tickGiven } from './helpers/coordinator-deps';
import { coordinatorEachTest, write, type CoordinatorWorld } from './helpers/coordinator-kit';

const ENV = 'staging';
const breached = { window: { kind: 'breached', trigger: 'error_rate', numbers: { samples: 800, errorRate: 0.023, p95Ms: 140, p99Ms: 410 } } };

let clock: TestClock;
let api: CoordinatorWorld['api'];
let stub: CoordinatorWorld['stub'];
const { startSafeRollout } = coordinatorEachTest(ENV, (world) => ({ clock, api, stub } = world));

/** The config, then a rollout a second later (published at once); then, 100 ms later, a config change that the debounce holds back. */
async function rolloutThenDebouncedChange(): Promise<RolloutView> {
  const started = await startSafeRollout();
  expect((await kvSnapshot(ENV))!.flags['new-checkout']!.rollout).toMatchObject({ id: started.id });
  clock.advance(100);
  const change = await api.putConfig(write(configWith((c) => (c.flags['static-bool']!.defaultVariant = 'off'))), clock.now);
  expect(change).toMatchObject({ ok: true });
  const summary = await api.summary();
  // Held back: KV still has the previous version.
  expect(summary.publishedVersion).toBeLessThan(summary.snapshotVersion);
  clock.advance(100);
  return started;
}

/**
 * A rollback decided 200 ms into the publish interval: deferred to the end of that second, no
 * later, even with another change meanwhile; the alarm then writes it.
 */
async function expectRollbackAtEndOfSecond(publishedAt: number): Promise<void> {
  const pending = await api.summary();
  expect(pending.publishedVersion).toBeLessThan(pending.snapshotVersion);
  clock.advance(100);
  expect(await api.putConfig(write(configWith((c) => (c.flags['static-bool']!.defaultVariant = 'off'))), clock.now)).toMatchObject({ ok: true });
  expect(await runInDurableObject(stub, (_i, state) => state.storage.getAlarm())).toBe(publishedAt + 1000);
  clock.set(publishedAt + 1000);
  expect(await runDurableObjectAlarm(stub)).toBe(true);
  await expectRollbackPublished();
}

/** KV holds the coordinator's latest snapshot, without the rollout, and nothing is pending. */
async function expectRollbackPublished(): Promise<void> {
  const summary = await api.summary();
  expect(summary.publishedVersion).toBe(summary.snapshotVersion);
  const snap = (await kvSnapshot(ENV))!;
  expect(snap.$rollgate.version).toBe(summary.snapshotVersion);
  expect(snap.flags['new-checkout']!.rollout).toBeUndefined();
  // The change the debounce held back is in the same write.
  expect(snap.flags['static-bool']!.defaultVariant).toBe('off');
}

describe('the publish debounce never delays a rollback', () => {
  it('a manual rollback 200 ms after a publish reaches KV at the end of that second', async () => {
    const r = await rolloutThenDebouncedChange();
    const out = await api.rolloutAction(r.id, 'rollback', { reason: 'error spike' }, 'tester', clock.now, false);
    expect(out).toMatchObject({ ok: true, value: { changed: true } });
    expect((await kvSnapshot(ENV))!.flags['new-checkout']!.rollout).toBeDefined();
    await expectRollbackAtEndOfSecond(r.startedAt);
  });

  it('an automatic rollback by a tick 200 ms after a publish reaches KV at the end of that second', async () => {
    const r = await rolloutThenDebouncedChange();
    // The cron's scheduledTime may be up to two minutes ahead of the object's clock.
    const tick = await tickGiven(ENV, clock.now + 60_000, { [r.id]: breached });
    expect(tick).toMatchObject({ changed: [r.id] });
    expect(tick.publish).toEqual({ status: 'deferred', until: r.startedAt + 1000 });
    await expectRollbackAtEndOfSecond(r.startedAt);
  });

  it('a rollback a second or more after the last publish is in KV when the tick returns', async () => {
    const r = await rolloutThenDebouncedChange();
    clock.set(r.startedAt + 1000);
    const tick = await tickGiven(ENV, clock.now + 60_000, { [r.id]: breached });
    expect(tick).toMatchObject({ changed: [r.id], publish: { status: 'published' } });
    await expectRollbackPublished();
  });
});
