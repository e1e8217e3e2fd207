/**
 * The hook and the middleware together, with a real OpenFeature client (in-memory provider): each
 * request is recorded once per (flag, variant) it evaluated, with its latency and outcome, and
 * concurrent requests never see each other's evaluations.
 */
import { createServer } from 'node:http';
import { type AddressInfo } from 'node:net';
import { type Client, InMemoryProvider, OpenFeature } from '@openfeature/server-sdk';
import { Hono } from 'hono';
import { binOf } from '../../../src/core/metrics/sketch';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { accepted, fakeFetch } from '../test/fake-fetch';
import { asyncLocalScopes } from './async-local';
import { rollgateHono, scopeHints } from './hono';
import { rollgateHook } from './hook';
import { rollgateNode } from './node-middleware';
import { Reporter } from './reporter';

const store = asyncLocalScopes();
let withStore: Client;
let explicit: Client;

beforeAll(async () => {
  const flags = {
    'new-checkout': {
      variants: { on: true, off: false },
      defaultVariant: 'off',
      disabled: false,
      contextEvaluator: (ctx: { targetingKey?: string }) => (ctx.targetingKey?.startsWith('on-') ? 'on' : 'off'),
    },
    banner: { variants: { a: 'A', b: 'B' }, defaultVariant: 'b', disabled: false },
  };
  await OpenFeature.setProviderAndWait('mw-store', new InMemoryProvider(flags));
  await OpenFeature.setProviderAndWait('mw-explicit', new InMemoryProvider(flags));
  withStore = OpenFeature.getClient('mw-store');
  withStore.addHooks(rollgateHook(store));
  explicit = OpenFeature.getClient('mw-explicit');
  explicit.addHooks(rollgateHook());
});

afterAll(() => OpenFeature.close());

function reporter() {
  const f = fakeFetch([accepted()]);
  const r = new Reporter({ url: 'http://rg.test', key: 'k', fetch: f.fetch, timers: false });
  const sent = async () => {
    await r.flush();
    return f.received.flatMap((b) => b.reports).map(({ flag, variant, count, errors, latencyMs }) => ({ flag, variant, count, errors, latencyMs }));
  };
  return { r, sent };
}

/** A clock that moves 25 ms per reading: every request lasts 25 ms. */
function steppingClock() {
  let t = 0;
  return () => (t += 25);
}

describe('Hono middleware with AsyncLocalStorage scopes', () => {
  it('records each evaluated (flag, variant) once per request, with its outcome, across concurrent requests', async () => {
    const { r, sent } = reporter();
    const app = new Hono();
    app.use(rollgateHono(r, { store, clock: () => 0 })); // latency: see the Node test (sequential requests)
    app.get('/checkout/:user', async (c) => {
      const user = c.req.param('user');
      await new Promise((res) => setTimeout(res, Math.random() * 5)); // interleave concurrent requests
      const on = await withStore.getBooleanValue('new-checkout', false, { targetingKey: user });
      await withStore.getBooleanValue('new-checkout', false, { targetingKey: user }); // twice: still one pair
      await withStore.getStringValue('banner', 'x');
      if (c.req.query('fail') === 'throw') throw new Error('boom');
      return c.json({ on }, c.req.query('fail') === '503' ? 503 : 200);
    });
    app.get('/plain', (c) => c.text('no flags'));
    app.onError((_err, c) => c.text('failed', 500));
    const paths = ['/checkout/on-1', '/checkout/on-2?fail=503', '/checkout/on-3?fail=throw', '/checkout/off-1', '/checkout/off-2', '/plain'];
    const statuses = await Promise.all(paths.map(async (p) => (await app.request(p)).status));
    expect(statuses).toEqual([200, 503, 500, 200, 200, 200]);
    // Reports come in the order the requests finished, which the random delays shuffle.
    const byPair = (await sent()).sort((a, b) => `${a.flag}/${a.variant}`.localeCompare(`${b.flag}/${b.variant}`));
    expect(byPair).toEqual([
      { flag: 'banner', variant: 'b', count: 5, errors: 2, latencyMs: { bins: { '0': 5 } } },
      { flag: 'new-checkout', variant: 'off', count: 2, errors: 0, latencyMs: { bins: { '0': 2 } } },
      { flag: 'new-checkout', variant: 'on', count: 3, errors: 2, latencyMs: { bins: { '0': 3 } } },
    ]);
  });
});

describe('Hono middleware with explicit scopes (Workers without AsyncLocalStorage)', () => {
  it('attributes evaluations passed scopeHints(c), and ignores those without, and those that served no variant', async () => {
    const { r, sent } = reporter();
    const app = new Hono();
    app.use(rollgateHono(r));
    app.get('/', async (c) => {
      await explicit.getBooleanValue('new-checkout', false, { targetingKey: 'on-9' }, { hookHints: scopeHints(c) });
      await explicit.getStringValue('banner', 'x'); // no hint, no store: not attributed
      await explicit.getBooleanValue('no-such-flag', false, {}, { hookHints: scopeHints(c) }); // no variant served: not attributed
      return c.text('ok');
    });
    expect((await app.request('/')).status).toBe(200);
    expect((await sent()).map((x) => [x.flag, x.variant, x.count])).toEqual([['new-checkout', 'on', 1]]);
  });

  it("hands a due flush to the Workers execution context's waitUntil", async () => {
    const f = fakeFetch([accepted()]);
    let now = 0;
    const r = new Reporter({ url: 'http://rg.test', key: 'k', fetch: f.fetch, timers: false, flushIntervalMs: 1000, now: () => now });
    const app = new Hono();
    app.use(rollgateHono(r));
    app.get('/', async (c) => {
      await explicit.getBooleanValue('new-checkout', false, { targetingKey: 'on-1' }, { hookHints: scopeHints(c) });
      return c.text('ok');
    });
    const waited: Promise<unknown>[] = [];
    const ctx = { waitUntil: (p: Promise<unknown>) => waited.push(p), passThroughOnException: () => undefined, props: {} };
    await app.request('/', {}, {}, ctx);
    expect(waited).toHaveLength(0); // interval not over yet
    now = 1000;
    await app.request('/', {}, {}, ctx);
    expect(waited).toHaveLength(1);
    await Promise.all(waited);
    expect(f.received[0]!.reports).toMatchObject([{ flag: 'new-checkout', variant: 'on', count: 2 }]);
  });
});

describe('Node (req, res, next) middleware', () => {
  it('records latency and outcome on finish (a 5xx is an error) and rethrows what next throws', async () => {
    const { r, sent } = reporter();
    const mw = rollgateNode(r, { store, clock: steppingClock() });
    const server = createServer((req, res) => {
      try {
        mw(req, res, () => {
          const user = req.url!.slice(1);
          if (user === 'sync-throw') throw new Error('sync');
          void withStore.getBooleanValue('new-checkout', false, { targetingKey: user }).then((on) => {
            res.statusCode = user === 'on-5' ? 500 : 200;
            res.end(String(on));
          });
        });
      } catch {
        res.statusCode = 500;
        res.end('thrown');
      }
    });
    await new Promise<void>((res) => server.listen(0, '127.0.0.1', res));
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    try {
      for (const u of ['on-1', 'on-5', 'off-1', 'off-2']) await (await fetch(`${base}/${u}`)).text();
      expect(await (await fetch(`${base}/sync-throw`)).text()).toBe('thrown'); // rethrown to the caller
    } finally {
      server.close();
    }
    // Each request lasts 25 ms on the stepping clock (started, finished).
    expect(await sent()).toEqual([
      { flag: 'new-checkout', variant: 'on', count: 2, errors: 1, latencyMs: { bins: { [binKey(25)]: 2 } } },
      { flag: 'new-checkout', variant: 'off', count: 2, errors: 0, latencyMs: { bins: { [binKey(25)]: 2 } } },
    ]);
  });
});

function binKey(ms: number): string {
  return String(binOf(ms));
}
