import { runInDurableObject } from 'cloudflare:test';
import { env } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import type { RolloutView, StoredRolloutView } from '../../src/coordinator/rollout-ops';
import { MAX_TICK_LEAD_MS } from '../../src/coordinator/rollout-coordinator';
import { admin } from '../helpers/admin';
import type { TestClock } from '../helpers/clock';
import { kvSnapshot, rewriteRolloutRow, validConfig } from '../helpers/coordinator';
import { ENV, expectStatus, FLAG, HEALTHY, kvSnapshotOf, MIN, type MinuteLoad, type Sim } from '../helpers/health-sim';
import { tickGiven } from '../helpers/coordinator-deps';
import { coordinatorEachTest, type CoordinatorWorld } from '../helpers/coordinator-kit';
import { simEachTest } from '../helpers/sim-kit';

/** 200 requests, 90 % errors. */
const FAILING: MinuteLoad = { ...HEALTHY, errors: 180 };

const rewriteRow = (id: string, change: (data: Record<string, any>) => void): Promise<void> => rewriteRolloutRow(ENV, id, change);

describe('a rollout whose row does not parse, or whose tick throws, holds only itself', () => {
  let sim: Sim;
  simEachTest((s) => (sim = s));

  /** Starts a rollout through the admin API on `flag`. */
  async function startOn(flag: string, variant: string): Promise<RolloutView> {
    const res = await admin(sim.h, 'POST', `/environments/${ENV}/rollouts`, { body: { flag, variant, strategy: 'safe' } });
    expect(res.status, await res.clone().text()).toBe(201);
    return await res.json<RolloutView>();
  }

  it('rolls back the other rollout at the sustained minute, keeps the admin plane answering, and records each failure once', async () => {
    await sim.setup();
    const failing = await sim.start();
    const broken = await startOn('static-bool', 'off');
    const throwing = await startOn('banner', 'staff');
    // The ZodError of issue 9: a non-finite P95 saved as null. And an Invalid Date that the row's
    // schema cannot see (the bounds keep each number valid; their sum is past any date): paused longer than time.
    await rewriteRow(broken.id, (d) => (d['lastVerdict'] = { kind: 'healthy', numbers: { samples: 500, p95Ms: null } }));
    await rewriteRow(throwing.id, (d) => (d['pausedTotalMs'] = 8.64e15));

    const S = sim.T0;
    for (let i = 0; i < 5; i++) {
      // Treatment only: no baseline to compare with, so the limits judge it (and the missing
      // baseline holds it as a sample-ratio mismatch until the breach is sustained).
      await sim.postMinute(S + i * MIN, FAILING, null);
      await sim.tick(S + (i + 1) * MIN);
      const now = await sim.rollout(failing.id);
      if (i < 4) {
        expect(now.status, `after ${i + 1} failing minutes`).toBe('running');
        expect(['degraded', 'held', 'insufficient-data']).toContain(now.lastVerdict?.kind);
      }
    }
    expect(await sim.rollout(failing.id)).toMatchObject({ status: 'rolled_back', percent: 0, endedAt: S + 5 * MIN });
    const snapshot = (await kvSnapshotOf())!;
    expect(snapshot.flags[FLAG]).not.toHaveProperty('rollout');
    // The broken row is left out of the snapshot (its flag serves the baseline); the throwing one is held at its percent.
    expect(snapshot.flags['static-bool']).not.toHaveProperty('rollout');
    expect(snapshot.flags['banner']!.rollout).toMatchObject({ id: throwing.id, percent: 5 });
    expect(snapshot.$rollgate.tickFailures?.map((f) => f.rollout).sort()).toEqual([broken.id, throwing.id].sort());

    // One audit entry per failure, not one a minute.
    const failed = await sim.audit('rollout.tick_failed');
    expect(failed.map((e) => e.target).sort()).toEqual([broken.id, throwing.id].sort());
    expect(failed.find((e) => e.target === broken.id)!.reason).toMatch(/stored row does not parse at \/lastVerdict/);
    expect(failed.find((e) => e.target === throwing.id)!.reason).toMatch(/RangeError: Invalid time value; held at 5%/);

    // The admin plane answers, and shows the failures.
    const summary = await sim.summary();
    const views = summary.activeRollouts as StoredRolloutView[];
    expect(views.find((r) => r.id === broken.id)).toMatchObject({
      flag: 'static-bool',
      status: 'running',
      broken: expect.stringMatching(/lastVerdict/),
      tickError: { since: new Date(S + MIN).toISOString() },
    });
    expect(views.find((r) => r.id === throwing.id)).toMatchObject({
      percent: 5,
      nextPromotionAt: null,
      tickError: { since: new Date(S + MIN).toISOString(), message: expect.stringMatching(/Invalid time value/) },
    });
    expect(await sim.rollout(throwing.id)).toMatchObject({ status: 'running', percent: 5, stageIndex: 0, tickError: expect.anything() });
    const list = await expectStatus(admin(sim.h, 'GET', `/environments/${ENV}/rollouts`), 200);
    expect((await list.json<{ rollouts: StoredRolloutView[] }>()).rollouts).toHaveLength(3);
    await expectStatus(admin(sim.h, 'GET', `/environments/${ENV}/rollouts/${broken.id}`), 200);
    await expectStatus(admin(sim.h, 'POST', `/environments/${ENV}/flags/validate`, { body: validConfig() }), 200);
    await expectStatus(admin(sim.h, 'PUT', `/environments/${ENV}/flags`, { body: validConfig() }), 200);
    await expectStatus(admin(sim.h, 'POST', `/environments/${ENV}/keys`, { body: { name: 'another' } }), 201);

    // The edge's /health names the held rollouts.
    sim.at(sim.clock.now + 10_000);
    const health = await (await sim.h.fetch('/health')).json<{ environments: Record<string, { heldRollouts?: number }> }>();
    expect(health.environments[ENV]!.heldRollouts).toBe(2);
    // No flag names on the endpoint that needs no key.
    expect(JSON.stringify(health)).not.toMatch(/banner|static-bool/);
    expect(health.environments['production']).not.toHaveProperty('heldRollouts');

    // A broken active row still holds its flag; only rollback applies to it, and then the flag is free.
    await expectStatus(admin(sim.h, 'POST', `/environments/${ENV}/rollouts`, { body: { flag: 'static-bool', variant: 'off', strategy: 'safe' } }), 409);
    await expectStatus(admin(sim.h, 'POST', `/environments/${ENV}/rollouts/${broken.id}/promote`, { body: { reason: 'try' } }), 409);
    const rolledBack = await expectStatus(admin(sim.h, 'POST', `/environments/${ENV}/rollouts/${broken.id}/rollback`, { body: { reason: 'broken row' } }), 200);
    expect(await rolledBack.json()).toMatchObject({ id: broken.id, status: 'rolled_back', changed: true });
    expect((await sim.rollout(broken.id)).history!.at(-1)).toMatchObject({ event: 'rolled_back', actor: 'alice-operator', toStatus: 'rolled_back' });
    expect(await sim.audit('rollout.rollback')).toHaveLength(1);
    await startOn('static-bool', 'off');
  }, 30_000);

  it('records a failure again only when its message changes, and audits the recovery', async () => {
    await sim.setup();
    const r = await sim.start();
    await rewriteRow(r.id, (d) => (d['pausedTotalMs'] = 8.64e15));
    await sim.tick(sim.T0 + MIN);
    await sim.tick(sim.T0 + 2 * MIN);
    expect(await sim.audit('rollout.tick_failed')).toHaveLength(1);
    expect((await sim.rollout(r.id)).tickError).toEqual({ since: new Date(sim.T0 + MIN).toISOString(), message: expect.stringMatching(/Invalid time value/) });

    // The row is repaired by hand: the next tick succeeds, clears the failure and says so.
    await rewriteRow(r.id, (d) => (d['pausedTotalMs'] = 0));
    await sim.tick(sim.T0 + 3 * MIN);
    const now = await sim.rollout(r.id);
    expect(now).not.toHaveProperty('tickError');
    expect(now.lastDecision).toMatch(/^waiting: next stage 10% at /);
    const [recovered, ...more] = await sim.audit('rollout.tick_recovered');
    expect(more).toEqual([]);
    expect(recovered).toMatchObject({ actor: 'rollgate', target: r.id, diff: { since: new Date(sim.T0 + MIN).toISOString() } });
    expect((await kvSnapshotOf())!.$rollgate).not.toHaveProperty('tickFailures');
  });
});

describe('the stored record of tick failures', () => {
  let sim: Sim;
  simEachTest((s) => (sim = s));

  it("skips an unreadable entry instead of hiding every other rollout's failure", async () => {
    await sim.setup();
    const r = await sim.start();
    const good = { rollout: r.id, flag: FLAG, since: sim.T0, message: 'RangeError: Invalid time value' };
    await runInDurableObject(env.COORDINATOR.getByName(ENV), (_i, state) => {
      const bad = [{ rollout: 'ro_x', flag: 'f', since: 'x', message: 'm' }, { rollout: 'ro_y', flag: 'g', since: 1e20, message: 'm' }, 'junk'];
      state.storage.sql.exec("INSERT OR REPLACE INTO meta (key, value) VALUES ('tick_failures', ?)", JSON.stringify([...bad, good]));
    });
    expect(await sim.rollout(r.id)).toMatchObject({ tickError: { since: new Date(sim.T0).toISOString(), message: good.message } });
    await expectStatus(admin(sim.h, 'GET', `/environments/${ENV}/rollouts`), 200);
    await expectStatus(admin(sim.h, 'GET', '/environments'), 200);
  });
});

describe('a tick never stores a rollout row that would not read back', () => {
  let sim: Sim;
  simEachTest((s) => (sim = s));

  it('turns a verdict with an infinite P95 into a tick failure of that rollout, not a row that reads back as null', async () => {
    await sim.setup();
    const r = await sim.start();
    // Issue 9's sketch bin "20000" (P95 = Infinity), written straight into the shard's buckets:
    // the coordinator must survive it even if something upstream let it in.
    await runInDurableObject(env.METRICS.getByName(`${ENV}/${FLAG}`), (_i, state) => {
      for (let k = 1; k <= 5; k++) {
        for (const variant of ['on', 'off']) {
          state.storage.sql.exec(
            'INSERT INTO minute_buckets (variant, start, count, errors, bins) VALUES (?, ?, ?, ?, ?)',
            variant,
            sim.T0 + (k - 1) * MIN,
            200,
            0,
            JSON.stringify({ '20000': 200 }),
          );
        }
      }
    });
    const stored = async () =>
      runInDurableObject(
        env.COORDINATOR.getByName(ENV),
        (_i, state) => state.storage.sql.exec<{ data: string }>('SELECT data FROM rollouts WHERE id = ?', r.id).one().data,
      );
    const before = await stored();
    await sim.tick(sim.T0 + 5 * MIN);
    // Either the verdict was refused (held as a tick failure: today's sketch reads bin 20000 as
    // Infinity) or it was finite; never a row that does not parse.
    const view = await sim.rollout(r.id);
    expect(view).not.toHaveProperty('broken');
    if (view.tickError) {
      expect(await stored()).toBe(before);
      expect(view.tickError.message).toMatch(/was not stored/);
    }
    await expectStatus(admin(sim.h, 'GET', '/environments'), 200);
  });
});

describe('tick time only moves forward, and never far ahead of the coordinator clock', () => {
  let clock: TestClock;
  let api: CoordinatorWorld['api'];
  let stub: CoordinatorWorld['stub'];
  const { startSafeRollout: startSafe } = coordinatorEachTest(ENV, (world) => ({ clock, api, stub } = world));
  const healthy = { window: { kind: 'healthy', numbers: { samples: 500, errorRate: 0, p95Ms: 100, p99Ms: 200 } } };
  const breached = { window: { kind: 'breached', trigger: 'error_rate', numbers: { samples: 800, errorRate: 0.5 } } };
  const HOUR = 60 * MIN;

  async function state(id: string) {
    return {
      rollout: await api.getRollout(id),
      audit: await api.auditPage({ limit: 500 }),
      kv: await kvSnapshot(ENV),
      lastTick: await runInDurableObject(
        stub,
        (_i, s) => s.storage.sql.exec<{ value: string }>("SELECT value FROM meta WHERE key = 'last_tick_at'").toArray()[0]?.value ?? null,
      ),
    };
  }

  it('changes nothing, not even on a breach, for a scheduledTime older than the last applied one', async () => {
    const r = await startSafe();
    const T = r.startedAt + 24 * HOUR;
    clock.set(T + MIN);
    expect(await tickGiven(ENV, T, { [r.id]: healthy })).toMatchObject({ changed: [r.id] });
    expect(await tickGiven(ENV, T + MIN, { [r.id]: healthy })).toMatchObject({ duplicate: false, changed: [] });
    const before = await state(r.id);
    expect(before.rollout).toMatchObject({ ok: true, value: { status: 'running', percent: 10, lastTickAt: T + MIN } });

    const late = await tickGiven(ENV, T + 30_000, { [r.id]: breached });
    expect(await state(r.id)).toEqual(before);
    expect(late).toEqual({
      scheduledTime: T + 30_000,
      duplicate: false,
      changed: [],
      publish: null,
      refused: { reason: 'older', message: expect.stringContaining('older than the last applied tick') },
    });
    expect(await api.summary()).toMatchObject({ environment: ENV });
  });

  it('refuses a scheduledTime that is not a time, so it cannot turn off the older-tick guard', async () => {
    const r = await startSafe();
    const T = r.startedAt + 24 * HOUR;
    clock.set(T + MIN);
    expect(await tickGiven(ENV, T, { [r.id]: healthy })).toMatchObject({ changed: [r.id] });
    const before = await state(r.id);
    for (const bad of [NaN, -1, 1.5]) {
      expect(await tickGiven(ENV, bad, { [r.id]: breached })).toMatchObject({ changed: [], refused: { reason: 'invalid' } });
      expect(await state(r.id)).toEqual(before);
    }
    // An older tick is still refused afterwards.
    expect(await tickGiven(ENV, T - MIN, { [r.id]: breached })).toMatchObject({ refused: { reason: 'older' } });
    expect(await state(r.id)).toEqual(before);
  });

  it('refuses a scheduledTime more than two minutes ahead, and later normal ticks still promote', async () => {
    const r = await startSafe();
    const T = r.startedAt + 24 * HOUR;
    clock.set(T);
    const before = await state(r.id);

    // 48 h ahead would promote now and freeze every tick of the next two days; 2 min + 1 ms is refused too.
    for (const ahead of [24 * HOUR, MAX_TICK_LEAD_MS + 1]) {
      const refused = await tickGiven(ENV, T + ahead, { [r.id]: healthy });
      expect(await state(r.id)).toEqual(before);
      expect(refused).toMatchObject({ duplicate: false, changed: [], publish: null, refused: { reason: 'ahead' } });
    }
    expect(await api.listRollouts()).toHaveLength(1);

    // Exactly two minutes ahead is within the cron's tolerance; the normal tick promotes.
    expect(await tickGiven(ENV, T + MAX_TICK_LEAD_MS, { [r.id]: healthy })).toMatchObject({ changed: [r.id] });
    expect(await api.getRollout(r.id)).toMatchObject({ ok: true, value: { percent: 10 } });
    clock.set(r.startedAt + 48 * HOUR);
    expect(await tickGiven(ENV, clock.now, { [r.id]: healthy })).toMatchObject({ changed: [r.id] });
    expect(await api.getRollout(r.id)).toMatchObject({ ok: true, value: { percent: 25 } });
  });
});
