/**
 * The sdk inside the Workers runtime, against the real Worker: a Hono app with the Rollgate
 * middleware and hook (explicit scopes: no AsyncLocalStorage here), a Reporter without timers that
 * flushes through waitUntil, and its POSTs answered by Rollgate's own /v1/metrics. What the shard
 * stores per variant equals what the app served.
 */
import { reset } from 'cloudflare:test';
import { env } from 'cloudflare:workers';
import { InMemoryProvider, OpenFeature } from '@openfeature/server-sdk';
import { Hono } from 'hono';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Reporter, rollgateHono, rollgateHook, scopeHints } from '../sdk/openfeature/src/index';
import { reportKeyOf } from './helpers/fixture';
import { ENV, FLAG, MIN, Sim } from './helpers/health-sim';

let sim: Sim;

beforeEach(async () => {
  sim = new Sim();
  await sim.setup();
  sim.at(sim.T0 + 5_000);
});
afterEach(async () => {
  sim.clock.restore();
  await OpenFeature.close();
  await reset();
});

describe('sdk reporter in the Workers runtime', () => {
  it('reports every request of a Hono app by variant, flushed through waitUntil, and Rollgate stores exactly that', async () => {
    await OpenFeature.setProviderAndWait(
      'sdk-workers',
      new InMemoryProvider({
        [FLAG]: {
          variants: { on: true, off: false },
          defaultVariant: 'off',
          disabled: false,
          contextEvaluator: (ctx) => (String(ctx.targetingKey).endsWith('7') ? 'on' : 'off'),
        },
      }),
    );
    const client = OpenFeature.getClient('sdk-workers');
    client.addHooks(rollgateHook());
    const errors: string[] = [];
    const reporter = new Reporter({
      url: 'https://rollgate.test',
      key: reportKeyOf(ENV),
      timers: false,
      flushIntervalMs: 10_000,
      now: () => sim.clock.now,
      // The real Worker answers: Rollgate's /v1/metrics through the test harness.
      fetch: async (input: RequestInfo | URL, init?: RequestInit) =>
        sim.h.fetch(new URL(input instanceof Request ? input.url : input.toString()).pathname, init),
      onError: (e) => errors.push(e.message),
    });
    const app = new Hono();
    app.use(rollgateHono(reporter));
    app.get('/checkout/:user', async (c) => {
      const on = await client.getBooleanValue(FLAG, false, { targetingKey: c.req.param('user') }, { hookHints: scopeHints(c) });
      return c.text(on ? 'new' : 'old', on && c.req.param('user').startsWith('bad') ? 500 : 200);
    });
    const waited: Promise<unknown>[] = [];
    const ctx = { waitUntil: (p: Promise<unknown>) => waited.push(p), passThroughOnException: () => undefined, props: {} };
    const served = { on: 0, off: 0, onErrors: 0 };
    for (let i = 0; i < 100; i++) {
      const user = `${i % 3 === 0 ? 'bad' : 'good'}-${i}`;
      const res = await app.request(`/checkout/${user}`, {}, env, ctx);
      if ((await res.text()) === 'new') served.on++;
      else served.off++;
      if (res.status >= 500) served.onErrors++;
      sim.clock.advance(200); // 100 requests over 20 s of one minute: a flush is due after 10 s
    }
    await Promise.all(waited);
    await reporter.flush();
    expect(errors).toEqual([]);
    expect(waited.length).toBeGreaterThanOrEqual(1);
    expect(reporter.stats()).toMatchObject({ recorded: 100, sentRequests: 100, pendingReports: 0, rejectedReports: 0 });
    const shard = env.METRICS.getByName(`${ENV}/${FLAG}`);
    const on = await shard.window('on', sim.T0 - MIN, sim.T0 + MIN);
    const off = await shard.window('off', sim.T0 - MIN, sim.T0 + MIN);
    expect(served.on).toBeGreaterThan(0);
    expect(served.onErrors).toBeGreaterThan(0);
    expect(on).toMatchObject({ samples: served.on, errors: served.onErrors });
    expect(off).toMatchObject({ samples: served.off, errors: 0 });
    expect(on.p95Ms).not.toBeNull();
  });
});
