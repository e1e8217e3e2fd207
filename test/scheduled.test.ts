import { reset } from 'cloudflare:test';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { RolloutView } from '../src/coordinator/rollout-ops';
import { admin } from './helpers/admin';
import { configWith } from './helpers/coordinator';
import { baselineFor, ENV, ERRORING, FLAG, HEALTHY, HOUR, kvSnapshotOf, MIN, type MinuteLoad, Sim, SLOW_P95, SLOW_P99, fakeProbe } from './helpers/health-sim';

// The real clock, taken before any test fakes Date: for the rollback-latency measurement only.
const realNow = Date.now.bind(Date);

const USERS = 10_000;
let sim: Sim;

beforeEach(() => {
  sim = new Sim();
});
afterEach(async () => {
  vi.restoreAllMocks();
  sim.clock.restore();
  await reset();
});

/** Indexes of the users whose value is the rollout's (true). */
function treated(values: readonly unknown[]): Set<number> {
  const out = new Set<number>();
  values.forEach((v, i) => {
    if (v === true) out.add(i);
    else expect(v, `user-${i}`).toBe(false);
  });
  return out;
}

/** Evaluates the 10,000 users; checks the share within ±1.5 points of `percent` and that every earlier user is still in. Returns the cohort. */
async function checkCohort(percent: number, earlier: ReadonlySet<number>): Promise<Set<number>> {
  const cohort = treated(await sim.evaluateUsers(USERS));
  expect(Math.abs((cohort.size / USERS) * 100 - percent), `share ${cohort.size / 100}% at stage ${percent}%`).toBeLessThanOrEqual(1.5);
  const dropped = [...earlier].filter((i) => !cohort.has(i));
  expect(dropped, 'users who had the new variant at an earlier stage').toEqual([]);
  return cohort;
}

/** Custom short stages: 5 % at once, 25 % after 10 minutes, 100 % after a day; 1 h bake. */
const TO_25 = {
  stages: [
    { percent: 5, afterSeconds: 0 },
    { percent: 25, afterSeconds: 600 },
    { percent: 100, afterSeconds: 86_400 },
  ],
  bakeSeconds: 3600,
};

/** Starts the TO_25 rollout at T0 and promotes it to 25 % at T0+10 min on healthy minutes; returns it. */
async function startAt25(health: Record<string, unknown> = {}): Promise<RolloutView> {
  await sim.setup();
  const r = await sim.start({ ...TO_25, health });
  const T = sim.T0 + 10 * MIN;
  await sim.postMinutesBefore(T, 5, () => HEALTHY);
  await sim.tick(T);
  const at25 = await sim.rollout(r.id);
  expect(at25).toMatchObject({ status: 'running', percent: 25, stageIndex: 1 });
  return at25;
}

describe('scheduled(): a complete safe rollout', () => {
  it('promotes at 0/24/48/72/96/120 h on healthy metrics, keeps earlier users in, and completes after the 48 h bake', async () => {
    // Cohorts hash the rollout id with the targeting key, and ±1.5 points is only 3σ of the 10,000-key
    // sample at 50 %: about 1 random id in 250 misses it at some stage. The id (start time and
    // UUID) is pinned so the shares below are the same on every run.
    const started = performance.now();
    sim.clock.restore();
    sim = new Sim(Date.UTC(2030, 0, 7, 9, 0));
    vi.spyOn(crypto, 'randomUUID').mockReturnValue('5e1ec7ed-7e57-4000-8000-000000000000');
    await sim.setup();
    const r = await sim.start({ reason: 'simulation' });
    expect(r.id).toBe(`ro_${sim.T0.toString(36)}_5e1ec7ed`);
    expect(r).toMatchObject({ status: 'running', percent: 5, stageIndex: 0, startedAt: sim.T0 });

    const schedule: Array<[hours: number, percent: number]> = [
      [0, 5],
      [24, 10],
      [48, 25],
      [72, 50],
      [96, 75],
      [120, 100],
    ];
    const expectedPercent = (hours: number) => schedule.filter(([h]) => h <= hours).at(-1)![1];
    let cohort = await checkCohort(5, new Set());
    let ofrepMs = 0;
    const promotedAt: number[] = [];
    let last = r;

    for (let k = 1; k <= 168; k++) {
      const T = sim.T0 + k * HOUR;
      await sim.postMinutesBefore(T, 5, () => HEALTHY);
      await sim.tick(T);
      const now = await sim.rollout(r.id);
      if (k < 168) {
        expect(now, `after the tick at ${k} h`).toMatchObject({ status: 'running', percent: expectedPercent(k) });
        expect(now.stageIndex).toBe(schedule.filter(([h]) => h <= k).length - 1);
      }
      if (now.percent !== last.percent) {
        promotedAt.push(k);
        expect(now.lastDecision).toMatch(new RegExp(`^promoted: ${last.percent}% → ${now.percent}%`));
        const t = performance.now();
        cohort = await checkCohort(now.percent, cohort);
        ofrepMs += performance.now() - t;
      }
      last = now;
    }
    expect(promotedAt).toEqual([24, 48, 72, 96, 120]);
    expect(cohort.size).toBe(USERS);

    // At 168 h (120 h + the 48 h bake) the bake criteria held: completed, "on" becomes the default.
    expect(last).toMatchObject({ status: 'completed', percent: 100, endedAt: sim.T0 + 168 * HOUR, bakeStartedAt: sim.T0 + 120 * HOUR });
    expect(last.lastDecision).toMatch(/^completed: bake passed/);
    const config = await (await admin(sim.h, 'GET', `/environments/${ENV}/flags`)).json<{ version: number; actor: string; document: any }>();
    expect(config).toMatchObject({ version: 2, actor: 'rollgate' });
    expect(config.document.flags[FLAG].environments[ENV].defaultVariant).toBe('on');
    const snapshot = await kvSnapshotOf();
    expect(snapshot!.flags[FLAG]).not.toHaveProperty('rollout');
    expect(snapshot!.flags[FLAG]!.defaultVariant).toBe('on');
    const t = performance.now();
    await checkCohort(100, cohort);
    ofrepMs += performance.now() - t;

    const audit = await sim.audit();
    expect(audit.filter((e) => e.action === 'rollout.auto_promoted')).toHaveLength(5);
    expect(audit.filter((e) => e.action === 'rollout.auto_completed' && e.actor === 'rollgate')).toHaveLength(1);
    expect(audit.filter((e) => e.action === 'config.rollout_completed' && e.actor === 'rollgate')).toHaveLength(1);
    console.log(
      `simulation: 168 hourly ticks, 7 × ${USERS} OFREP evaluations in ${Math.round(ofrepMs)} ms; whole test ${Math.round(performance.now() - started)} ms`,
    );
  }, 60_000);
});

describe('scheduled(): automatic rollback', () => {
  it('rolls back an error spike at 25 % on the first tick that sees five breaching minutes, not at four (both cohorts erroring, onEnvironmentWide rollback)', async () => {
    const r = await startAt25({ onEnvironmentWide: 'rollback' });
    const before = await checkCohort(25, new Set());
    expect(before.size).toBeGreaterThan(0);

    // The spike starts in the minute S, in both cohorts alike (so no comparison with the baseline
    // can fire); the tick at S + (i+1) min sees i+1 breaching minutes.
    const S = sim.T0 + 10 * MIN;
    const baselineErroring = { ...baselineFor(ERRORING, 25), errors: 18 }; // 600 requests, 3 %
    for (let i = 0; i < 4; i++) {
      await sim.postMinute(S + i * MIN, ERRORING, baselineErroring);
      await sim.tick(S + (i + 1) * MIN);
      const now = await sim.rollout(r.id);
      expect(now, `after ${i + 1} breaching minutes`).toMatchObject({
        status: 'running',
        percent: 25,
        lastVerdict: { kind: 'degraded', trigger: 'error_rate' },
      });
      // The next stage is not due, so the decision names its time; the verdict shows the breach building up.
      expect(now.lastDecision).toMatch(/^waiting: next stage 100% at /);
      expect((await kvSnapshotOf())!.flags[FLAG]!.rollout).toMatchObject({ percent: 25 });
    }
    await sim.postMinute(S + 4 * MIN, ERRORING, baselineErroring);
    await sim.tick(S + 5 * MIN);
    const rolledBack = await sim.rollout(r.id);
    expect(rolledBack).toMatchObject({ status: 'rolled_back', percent: 0, endedAt: S + 5 * MIN, lastVerdict: { kind: 'breached', trigger: 'error_rate' } });
    expect(rolledBack.lastDecision).toBe('rolled back: error_rate 3% > 1%');
    expect((await kvSnapshotOf())!.flags[FLAG]).not.toHaveProperty('rollout');

    // Every user, including the 25 % who had the new variant, gets the baseline.
    const after = await sim.evaluateUsers(USERS);
    expect(after.filter((v) => v !== false)).toEqual([]);

    const [entry, ...more] = await sim.audit('rollout.auto_rolled_back');
    expect(more).toEqual([]);
    expect(entry).toMatchObject({
      actor: 'rollgate',
      target: r.id,
      reason: 'rolled back: error_rate 3% > 1%',
      diff: { before: { status: 'running', percent: 25 }, after: { status: 'rolled_back', percent: 0 } },
    });
    expect(entry!.diff.events).toEqual([
      {
        type: 'rolled_back',
        fromPercent: 25,
        manual: false,
        trigger: 'error_rate',
        numbers: {
          samples: 1000,
          errorRate: 0.03,
          p95Ms: expect.any(Number),
          p99Ms: expect.any(Number),
          probeFailures: 0,
          baseline: { samples: 3000, errorRate: 0.03, p95Ms: expect.any(Number), p99Ms: expect.any(Number) },
          guards: expect.arrayContaining([expect.objectContaining({ guard: 'errors', needed: 150 })]),
        },
      },
    ]);
  }, 30_000);

  it('holds an environment-wide error spike by default: the baseline breaches as well, the treatment is no worse', async () => {
    const r = await startAt25();
    const S = sim.T0 + 10 * MIN;
    const baselineErroring = { ...baselineFor(ERRORING, 25), errors: 18 };
    for (let i = 0; i < 6; i++) await sim.postMinute(S + i * MIN, ERRORING, baselineErroring);
    await sim.tick(S + 6 * MIN);
    const held = await sim.rollout(r.id);
    expect(held).toMatchObject({ status: 'running', percent: 25, lastVerdict: { kind: 'held', cause: 'environment_wide', trigger: 'error_rate' } });
    expect(held.lastDecision).toMatch(/^waiting: environment-wide: baseline breaches as well \(error_rate 3% > 1%, baseline error_rate 3%\); holding at 25%$/);
    const [entry, ...more] = await sim.audit('rollout.auto_held');
    expect(more).toEqual([]);
    expect(entry!.diff.events[0]).toMatchObject({ type: 'held', cause: 'environment_wide' });
    // A second minute of the same hold is not a new one: still one audit entry.
    await sim.postMinute(S + 6 * MIN, ERRORING, baselineErroring);
    await sim.tick(S + 7 * MIN);
    expect(await sim.audit('rollout.auto_held')).toHaveLength(1);
  }, 30_000);

  it('rolls back a treatment significantly worse than its baseline within two minutes, naming the guard and its evidence', async () => {
    const r = await startAt25();
    const S = sim.T0 + 10 * MIN;
    // 3 % errors against none in the baseline: four times more evidence than needed within two minutes.
    for (let i = 0; i < 2 && (await sim.rollout(r.id)).status === 'running'; i++) {
      await sim.postMinute(S + i * MIN, ERRORING);
      await sim.tick(S + (i + 1) * MIN);
    }
    const rolledBack = await sim.rollout(r.id);
    expect(rolledBack).toMatchObject({ status: 'rolled_back', lastVerdict: { kind: 'breached', trigger: 'errors_vs_baseline' } });
    expect(rolledBack.endedAt).toBeLessThanOrEqual(S + 2 * MIN);
    // Counted since the start: the healthy minutes at 5 %, then the erroring ones at 25 %; none in the baseline.
    expect(rolledBack.lastDecision).toMatch(
      /^rolled back: errors: treatment [\d.]+ % vs baseline 0 % \(n = [\d,]+ \/ [\d,]+\) — evidence [\d,]+ of 150 needed$/,
    );
  }, 30_000);

  it.each<[string, MinuteLoad, 'p95' | 'p99']>([
    ['P95 alone', SLOW_P95, 'p95'],
    ['P99 alone', SLOW_P99, 'p99'],
  ])('rolls back on a sustained %s breach with no errors', async (_name, load, trigger) => {
    await sim.setup();
    const r = await sim.start();
    const T = sim.T0 + 10 * MIN;
    await sim.postMinutesBefore(T, 5, () => load);
    await sim.tick(T);
    const now = await sim.rollout(r.id);
    expect(now).toMatchObject({ status: 'rolled_back', percent: 0, lastVerdict: { kind: 'breached', trigger } });
    const numbers = (now.lastVerdict as { numbers: { errorRate: number; p95Ms: number; p99Ms: number } }).numbers;
    expect(numbers.errorRate).toBe(0);
    if (trigger === 'p95') {
      expect(numbers.p95Ms).toBeGreaterThan(500);
      expect(numbers.p99Ms).toBeLessThan(1000);
    } else {
      expect(numbers.p95Ms).toBeLessThan(500);
      expect(numbers.p99Ms).toBeGreaterThan(1000);
    }
    const [entry] = await sim.audit('rollout.auto_rolled_back');
    expect(entry!.diff.events[0]).toMatchObject({ type: 'rolled_back', trigger, numbers: { errorRate: 0, baseline: { samples: 19_000 } } });
    expect((await kvSnapshotOf())!.flags[FLAG]).not.toHaveProperty('rollout');
  });

  it('measures the time from the breaching tick to KV holding the snapshot without the rollout', async () => {
    await sim.setup();
    const r = await sim.start();
    const T = sim.T0 + 10 * MIN;
    await sim.postMinutesBefore(T, 5, () => ERRORING);
    const versionBefore = (await kvSnapshotOf())!.$rollgate.version;
    expect((await kvSnapshotOf())!.flags[FLAG]!.rollout).toMatchObject({ id: r.id });

    const t0 = realNow();
    await sim.tick(T);
    const snapshot = await kvSnapshotOf();
    const elapsed = realNow() - t0;
    // Rollback publishes before the tick returns: no alarm or retry is needed.
    expect(snapshot!.$rollgate.version).toBeGreaterThan(versionBefore);
    expect(snapshot!.flags[FLAG]).not.toHaveProperty('rollout');
    console.log(`rollback latency: scheduled() on the breaching tick → KV snapshot without the rollout in ${elapsed} ms`);
  });
});

describe('scheduled(): health-check probes', () => {
  const withProbe = configWith((c) => {
    c.environments = [
      { name: 'staging', healthChecks: [{ name: 'api', url: 'https://probe.test/health' }] },
      'development',
      { name: 'production', protected: true },
    ];
  });

  it('rolls back after 5 consecutive probe failures, with trigger probes', async () => {
    await sim.setup(withProbe);
    const r = await sim.start();
    const probe = fakeProbe(() => 500);
    await sim.setProbeFetch(probe.fetch);
    for (let k = 1; k <= 4; k++) {
      await sim.postMinutesBefore(sim.T0 + k * MIN, 1, () => HEALTHY);
      await sim.tick(sim.T0 + k * MIN);
      expect(await sim.rollout(r.id), `after ${k} failures`).toMatchObject({ status: 'running', percent: 5 });
      expect((await sim.summary()).probes).toEqual([
        expect.objectContaining({ name: 'api', url: 'https://probe.test/health', consecutiveFailures: k, lastStatus: 500 }),
      ]);
    }
    await sim.tick(sim.T0 + 5 * MIN);
    const now = await sim.rollout(r.id);
    expect(now).toMatchObject({ status: 'rolled_back', percent: 0, lastVerdict: { kind: 'breached', trigger: 'probes', numbers: { probeFailures: 5 } } });
    expect(now.lastDecision).toBe('rolled back: probes 5 failed ≥ 5');
    expect(probe.calls).toEqual(Array(5).fill('https://probe.test/health'));
    const [entry] = await sim.audit('rollout.auto_rolled_back');
    expect(entry!.diff.events[0]).toMatchObject({ trigger: 'probes', numbers: { probeFailures: 5 } });
    expect((await kvSnapshotOf())!.flags[FLAG]).not.toHaveProperty('rollout');
  });

  it('resets the count on a success: 4 failures, a success, 4 failures roll nothing back', async () => {
    await sim.setup(withProbe);
    const r = await sim.start();
    const statuses = [500, 500, 500, 500, 200, 500, 500, 500, 500];
    const expected = [1, 2, 3, 4, 0, 1, 2, 3, 4];
    let call = 0;
    await sim.setProbeFetch(fakeProbe(() => statuses[call++]!).fetch);
    for (let k = 0; k < statuses.length; k++) {
      await sim.tick(sim.T0 + (k + 1) * MIN);
      const [probe] = (await sim.summary()).probes;
      expect(probe, `after probe ${k + 1} (${statuses[k]})`).toMatchObject({ name: 'api', consecutiveFailures: expected[k], lastStatus: statuses[k] });
      expect((await sim.rollout(r.id)).status).toBe('running');
    }
    expect(call).toBe(statuses.length);
    expect(await sim.audit('rollout.auto_rolled_back')).toEqual([]);
    expect((await kvSnapshotOf())!.flags[FLAG]!.rollout).toMatchObject({ id: r.id, percent: 5 });
  });

  it('counts an unexpected status and a timeout as failures', async () => {
    await sim.setup(
      configWith((c) => {
        c.environments = [
          {
            name: 'staging',
            healthChecks: [
              { name: 'api', url: 'https://probe.test/health', expectStatus: 204 },
              { name: 'slow', url: 'https://probe.test/slow', timeoutMs: 50 },
            ],
          },
          'development',
          { name: 'production', protected: true },
        ];
      }),
    );
    await sim.setProbeFetch(async (input: RequestInfo | URL, init?: RequestInit) => {
      if ((input instanceof Request ? input.url : String(input)).endsWith('/health')) return new Response('ok', { status: 200 });
      // Never answers: only the probe's timeout ends the wait.
      // eslint-disable-next-line @typescript-eslint/prefer-promise-reject-errors -- rejects with the signal's reason, as fetch does on abort
      return new Promise<Response>((_resolve, reject) => init?.signal?.addEventListener('abort', () => reject(init.signal!.reason)));
    });
    await sim.tick(sim.T0 + MIN);
    expect((await sim.summary()).probes).toEqual([
      expect.objectContaining({ name: 'api', consecutiveFailures: 1, lastStatus: 200, lastError: 'status 200' }),
      expect.objectContaining({ name: 'slow', consecutiveFailures: 1, lastStatus: null, lastError: 'timed out' }),
    ]);
  });
});

describe('scheduled(): ticks', () => {
  it('changes nothing on a duplicate scheduledTime, even when another stage is due', async () => {
    await sim.setup();
    // 10 % and 25 % are both due at 1 h: a second application of the same tick would promote again.
    const r = await sim.start({
      stages: [
        { percent: 5, afterSeconds: 0 },
        { percent: 10, afterSeconds: 3600 },
        { percent: 25, afterSeconds: 3600 },
        { percent: 100, afterSeconds: 7200 },
      ],
    });
    const T = sim.T0 + HOUR;
    await sim.postMinutesBefore(T, 5, () => HEALTHY);
    await sim.tick(T);
    const first = await sim.rollout(r.id);
    expect(first).toMatchObject({ percent: 10, stageIndex: 1 });
    const audit = await sim.audit();
    const kv = await kvSnapshotOf();

    await sim.tick(T);
    expect(await sim.rollout(r.id)).toEqual(first);
    expect(await sim.audit()).toEqual(audit);
    expect(await kvSnapshotOf()).toEqual(kv);

    // The next scheduledTime does take the next due stage.
    await sim.postMinutesBefore(T + MIN, 1, () => HEALTHY);
    await sim.tick(T + MIN);
    expect(await sim.rollout(r.id)).toMatchObject({ percent: 25, stageIndex: 2 });
  });

  it('catches up missed ticks one stage per tick, never promoting without a health check', async () => {
    await sim.setup();
    const r = await sim.start();
    // No tick for 50 hours: the 10 % (24 h) and 25 % (48 h) stages are both due.
    const T = sim.T0 + 50 * HOUR;
    await sim.tick(T);
    const waiting = await sim.rollout(r.id);
    expect(waiting).toMatchObject({ status: 'running', percent: 5, lastDecision: 'waiting: insufficient data (0 of 100 samples)' });

    await sim.postMinutesBefore(T + MIN, 5, () => HEALTHY);
    await sim.tick(T + MIN);
    expect(await sim.rollout(r.id)).toMatchObject({ percent: 10, stageIndex: 1 });

    // The next tick judges its own window: four erroring minutes and a healthy one hold the stage
    // (the baseline errs alike, so the comparison with it has no evidence).
    await sim.postMinutesBefore(T + 7 * MIN, 5, (k) => (k < 4 ? ERRORING : HEALTHY), { ...baselineFor(ERRORING, 10), errors: 54 });
    await sim.tick(T + 7 * MIN);
    expect(await sim.rollout(r.id)).toMatchObject({ status: 'running', percent: 10, lastVerdict: { kind: 'degraded' } });

    await sim.postMinutesBefore(T + 13 * MIN, 5, () => HEALTHY);
    await sim.tick(T + 13 * MIN);
    const at25 = await sim.rollout(r.id);
    expect(at25).toMatchObject({ percent: 25, stageIndex: 2 });

    await sim.postMinutesBefore(T + 14 * MIN, 1, () => HEALTHY);
    await sim.tick(T + 14 * MIN);
    expect(await sim.rollout(r.id)).toMatchObject({ percent: 25, lastDecision: `waiting: next stage 50% at ${new Date(sim.T0 + 72 * HOUR).toISOString()}` });
    expect((await sim.audit('rollout.auto_promoted')).map((e) => e.diff.after.percent)).toEqual([25, 10]);
  });

  it('does not promote while paused, but still rolls back', async () => {
    await sim.setup();
    const r = await sim.start();
    sim.at(sim.T0 + HOUR);
    const paused = await admin(sim.h, 'POST', `/environments/${ENV}/rollouts/${r.id}/pause`, { body: { reason: 'holiday freeze' } });
    expect(paused.status).toBe(200);

    const T = sim.T0 + 25 * HOUR;
    await sim.postMinutesBefore(T, 5, () => HEALTHY);
    await sim.tick(T);
    expect(await sim.rollout(r.id)).toMatchObject({ status: 'paused', percent: 5, lastDecision: 'paused', lastVerdict: { kind: 'healthy' } });
    expect(await sim.audit('rollout.auto_promoted')).toEqual([]);

    await sim.postMinutesBefore(T + 5 * MIN, 5, () => ERRORING);
    await sim.tick(T + 5 * MIN);
    expect(await sim.rollout(r.id)).toMatchObject({ status: 'rolled_back', percent: 0, lastVerdict: { kind: 'breached', trigger: 'error_rate' } });
    expect((await kvSnapshotOf())!.flags[FLAG]).not.toHaveProperty('rollout');
  });

  it('holds the stage on insufficient data and says so in lastDecision', async () => {
    await sim.setup();
    const r = await sim.start();
    const T = sim.T0 + 24 * HOUR;
    // 12 treatment reports over the window (3 in each of the last 4 minutes); the baseline has plenty.
    await sim.postMinutesBefore(T, 5, (k) => (k === 0 ? null : { count: 3, errors: 0, latencyMs: [20, 30, 40] }));
    await sim.tick(T);
    const now = await sim.rollout(r.id);
    expect(now).toMatchObject({
      status: 'running',
      percent: 5,
      stageIndex: 0,
      lastDecision: 'waiting: insufficient data (12 of 100 samples)',
      lastVerdict: { kind: 'insufficient-data', samples: 12, required: 100 },
    });
    expect(await sim.audit('rollout.auto_promoted')).toEqual([]);
    expect((await kvSnapshotOf())!.flags[FLAG]!.rollout).toMatchObject({ percent: 5 });
  });
});
