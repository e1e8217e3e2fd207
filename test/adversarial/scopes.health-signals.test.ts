/**
 * Issue 9 §1, "who may report health": a browser (evaluate) key can neither forge nor mask health
 * signals (403, nothing stored; no key or an unknown one is 401), and a report key cannot evaluate
 * (403 without a body), while a key with both scopes does both.
 */
import { describe, expect, it } from 'vitest';
import { admin } from '../helpers/admin';
import { keyOf, reportKeyOf } from '../helpers/fixture';
import { ENV, ERRORING, expectStatus, FLAG, HEALTHY, MIN, type Report, type Sim, TREATMENT } from '../helpers/health-sim';
import { scopesEachTest } from '../helpers/scopes-kit';
import { NOTHING } from '../helpers/sim-kit';

let sim: Sim;
const { stored, adminAnswers } = scopesEachTest((s) => (sim = s));

/** A rollout that reaches 100 % five minutes after the start, when healthy. */
const SHORT = {
  strategy: 'fast',
  reason: 'scopes test',
  stages: [
    { percent: 10, afterSeconds: 0 },
    { percent: 100, afterSeconds: 300 },
  ],
  bakeSeconds: 3600,
};

describe('an evaluate (browser) key cannot write health signals', () => {
  it('POST /v1/metrics with an evaluate key → 403 naming the missing scope; nothing stored', async () => {
    sim.at(sim.T0 + 90_000);
    const res = await sim.post([{ flag: FLAG, variant: TREATMENT, timestamp: sim.T0 + 30_000, count: 100, errors: 50, latencyMs: [10] }], keyOf(ENV));
    expect(res.status).toBe(403);
    const body = await res.json<{ error: string }>();
    expect(body.error).toContain('"report" scope');
    expect(await stored()).toEqual(NOTHING);
    await adminAnswers();
  });

  it('no key or an unknown key → 401 without a body; nothing stored', async () => {
    sim.at(sim.T0 + 90_000);
    const report: Report = { flag: FLAG, variant: TREATMENT, timestamp: sim.T0 + 30_000, count: 100, errors: 0, latencyMs: [10] };
    for (const key of [null, 'rg_staging_not-a-key-at-all', `dev-report-${ENV}`]) {
      const res = await sim.post([report], key);
      expect(res.status).toBe(401);
      expect(await res.text()).toBe('');
    }
    expect(await stored()).toEqual(NOTHING);
    await adminAnswers();
  });

  it('forged backdated breaching reports through an evaluate key cannot roll back a healthy rollout', async () => {
    const r = await sim.start(SHORT);
    const T = sim.T0 + 10 * MIN;
    // The application (report key) reports five healthy minutes...
    await sim.postMinutesBefore(T, 5, () => HEALTHY);
    // ...and an attacker with the public browser key posts the same minutes as 50 % errors.
    const forged: Report[] = Array.from({ length: 5 }, (_, k) => ({
      flag: FLAG,
      variant: TREATMENT,
      timestamp: T - (5 - k) * MIN + 30_000,
      count: 1000,
      errors: 500,
      latencyMs: [2000],
    }));
    const res = await sim.post(forged, keyOf(ENV));
    expect(res.status).toBe(403);
    await sim.tick(T);
    const now = await sim.rollout(r.id);
    expect(now).toMatchObject({ status: 'running', percent: 100 });
    expect(await sim.audit('rollout.auto_rolled_back')).toEqual([]);
    await adminAnswers();
  });

  it('a masking flood of clean reports through an evaluate key cannot promote a failing rollout', async () => {
    const r = await sim.start(SHORT);
    const T = sim.T0 + 10 * MIN;
    // An attacker floods each minute with a million clean requests through the browser key...
    const flood: Report[] = Array.from({ length: 5 }, (_, k) => ({
      flag: FLAG,
      variant: TREATMENT,
      timestamp: T - (5 - k) * MIN + 30_000,
      count: 1_000_000,
      errors: 0,
      latencyMs: [10],
    }));
    sim.at(T);
    expect((await sim.post(flood, keyOf(ENV))).status).toBe(403);
    // ...while the application's real reports show the treatment failing.
    await sim.postMinutesBefore(T, 5, () => ({ ...ERRORING, errors: 100 }));
    await sim.tick(T);
    const now = await sim.rollout(r.id);
    expect(now).toMatchObject({ status: 'rolled_back', percent: 0, lastVerdict: { kind: 'breached', trigger: 'error_rate' } });
    await adminAnswers();
  });
});

describe('a report key cannot evaluate', () => {
  it('OFREP with a report key → 403 without a body (single and bulk); the evaluate key still works', async () => {
    sim.at(sim.T0 + 10_000);
    for (const path of [`/ofrep/v1/evaluate/flags/${FLAG}`, '/ofrep/v1/evaluate/flags']) {
      const res = await sim.h.evaluate(path, { context: { targetingKey: 'u1' } }, reportKeyOf(ENV));
      expect(res.status).toBe(403);
      expect(await res.text()).toBe('');
      expect((await sim.h.evaluate(path, { context: { targetingKey: 'u1' } }, keyOf(ENV))).status).toBe(200);
    }
    await adminAnswers();
  });

  it('a key with both scopes evaluates and reports', async () => {
    sim.at(sim.T0 + 1000);
    const both = 'rg_staging_both-scopes-secret';
    await expectStatus(admin(sim.h, 'POST', `/environments/${ENV}/keys`, { body: { name: 'server', secret: both, scopes: ['report', 'evaluate'] } }), 201);
    sim.at(sim.T0 + 90_000);
    expect((await sim.h.evaluate(`/ofrep/v1/evaluate/flags/${FLAG}`, { context: {} }, both)).status).toBe(200);
    const res = await sim.post([{ flag: FLAG, variant: TREATMENT, timestamp: sim.T0 + 30_000, count: 10, errors: 0, latencyMs: [10] }], both);
    expect(res.status).toBe(202);
    expect((await stored()).samples).toBe(10);
  });
});
