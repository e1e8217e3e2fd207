/**
 * Issue 9 §1: per-key rate limits with the real limiter bindings. A report key over the metrics
 * limit gets 429 + Retry-After and nothing stored while other keys go on; OFREP asks the limiter
 * by <env>:<key name>@<client address> (never the secret) only for keys it accepts; a failing
 * limiter does not take flags down.
 */
import { describe, expect, it } from 'vitest';
import { admin } from '../helpers/admin';
import { keyOf, reportKeyOf } from '../helpers/fixture';
import { ENV, expectStatus, FLAG, type Report, type Sim, TREATMENT } from '../helpers/health-sim';
import { scopesEachTest } from '../helpers/scopes-kit';

let sim: Sim;
const { stored, adminAnswers } = scopesEachTest((s) => (sim = s));

describe('per-key rate limits', () => {
  /** The Sim runs without the limiters; these tests put the real bindings back. */
  function withRealLimiters(): void {
    const { OFREP_RATE_LIMIT: _o, METRICS_RATE_LIMIT: _m, ...vars } = sim.h.vars;
    sim.h.vars = vars;
  }

  it('a report key over the metrics limit gets 429 + Retry-After and nothing stored, while another key still gets 202', async () => {
    withRealLimiters();
    sim.at(sim.T0 + 1000);
    const other = 'rg_staging_second-reporter-secret';
    await expectStatus(admin(sim.h, 'POST', `/environments/${ENV}/keys`, { body: { name: 'reporter-2', secret: other, scopes: ['report'] } }), 201);
    sim.at(sim.T0 + 90_000);
    const one: Report[] = [{ flag: FLAG, variant: TREATMENT, timestamp: sim.T0 + 30_000, count: 1, errors: 0, latencyMs: [5] }];
    // The limit is 100 per 10-second window of the wall clock: 201 requests exceed it in one
    // window even if a window ends while they are sent.
    let accepted = 0;
    let limited: Response | undefined;
    for (let i = 0; i < 201 && !limited; i++) {
      const res = await sim.post(one);
      if (res.status === 429) limited = res;
      else {
        expect(res.status).toBe(202);
        accepted++;
      }
    }
    expect(limited).toBeDefined();
    expect(limited!.headers.get('retry-after')).toBe('10');
    expect((await limited!.json<{ error: string }>()).error).toContain('retry after');
    expect((await stored()).samples).toBe(accepted);

    const res = await sim.post(one, other);
    expect(res.status).toBe(202);
    expect((await stored()).samples).toBe(accepted + 1);
    await adminAnswers();
  }, 60_000);

  it('OFREP asks the limiter by <env>:<key name>@<client address>, never the secret, and answers 429 + Retry-After without a body', async () => {
    const asked: string[] = [];
    let allow = true;
    sim.h.vars = { ...sim.h.vars, OFREP_RATE_LIMIT: { limit: async ({ key }: { key: string }) => (asked.push(key), { success: allow }) } };
    sim.at(sim.T0 + 10_000);
    expect((await sim.h.evaluate(`/ofrep/v1/evaluate/flags/${FLAG}`, { context: {} }, keyOf(ENV))).status).toBe(200);
    allow = false;
    for (const path of [`/ofrep/v1/evaluate/flags/${FLAG}`, '/ofrep/v1/evaluate/flags']) {
      const res = await sim.h.evaluate(path, { context: {} }, keyOf(ENV));
      expect(res.status).toBe(429);
      expect(res.headers.get('retry-after')).toBe('10');
      expect(await res.text()).toBe('');
    }
    expect(asked).toEqual(['staging:web', 'staging:web', 'staging:web']);
    // Behind Cloudflare each client address has its own budget: a browser key's flood from one
    // client does not limit the other visitors holding the same public key.
    const from = (ip: string) => sim.h.evaluate(`/ofrep/v1/evaluate/flags/${FLAG}`, { context: {} }, keyOf(ENV), { 'cf-connecting-ip': ip });
    const perClient = new Map<string, number>();
    sim.h.vars = {
      ...sim.h.vars,
      OFREP_RATE_LIMIT: {
        limit: async ({ key }: { key: string }) => (asked.push(key), perClient.set(key, (perClient.get(key) ?? 0) + 1), { success: perClient.get(key)! <= 2 }),
      },
    };
    const flood = [];
    for (let i = 0; i < 4; i++) flood.push((await from('203.0.113.7')).status);
    expect(flood).toEqual([200, 200, 429, 429]);
    expect((await from('198.51.100.20')).status).toBe(200);
    expect(asked.slice(3)).toEqual([...Array<string>(4).fill('staging:web@203.0.113.7'), 'staging:web@198.51.100.20']);
    asked.length = 3;
    // Unknown keys and keys of the wrong scope are refused before the limiter is asked.
    expect((await sim.h.evaluate(`/ofrep/v1/evaluate/flags/${FLAG}`, { context: {} }, 'nope-nope-nope')).status).toBe(401);
    expect((await sim.h.evaluate(`/ofrep/v1/evaluate/flags/${FLAG}`, { context: {} }, reportKeyOf(ENV))).status).toBe(403);
    expect(asked).toHaveLength(3);
    await adminAnswers();
  });

  it('a limiter that fails does not take flags down', async () => {
    sim.h.vars = { ...sim.h.vars, OFREP_RATE_LIMIT: { limit: async () => Promise.reject(new Error('limiter down (test)')) } };
    sim.at(sim.T0 + 10_000);
    expect((await sim.h.evaluate(`/ofrep/v1/evaluate/flags/${FLAG}`, { context: {} }, keyOf(ENV))).status).toBe(200);
  });
});
