/**
 * createRollgateClient wires the OFREP provider (client key), the hook and the reporter (report key):
 * an evaluation inside a request reaches Rollgate's OFREP endpoint, and the request's outcome is
 * posted to /v1/metrics under the variant Rollgate served.
 */
import { OpenFeature } from '@openfeature/server-sdk';
import { Hono } from 'hono';
import { afterAll, describe, expect, it } from 'vitest';
import { createRollgateClient } from './client';

afterAll(() => OpenFeature.close());

describe('createRollgateClient', () => {
  it('evaluates over OFREP with the client key and reports with the report key', async () => {
    const calls: { url: string; auth: string | null; body: unknown }[] = [];
    const fakeRollgate = async (input: RequestInfo | URL, init?: RequestInit): Promise<Response> => {
      const url = input instanceof Request ? input.url : input.toString();
      const headers = new Headers(input instanceof Request ? input.headers : init?.headers);
      const text = input instanceof Request ? await input.text() : typeof init?.body === 'string' ? init.body : '';
      const body: unknown = text ? JSON.parse(text) : null;
      calls.push({ url, auth: headers.get('authorization'), body });
      if (url.endsWith('/ofrep/v1/evaluate/flags/new-checkout'))
        return Response.json({ key: 'new-checkout', value: true, variant: 'on', reason: 'SPLIT', metadata: {} });
      if (url.endsWith('/v1/metrics')) return Response.json({ accepted: 1 }, { status: 202 });
      return new Response(null, { status: 404 });
    };
    const rg = await createRollgateClient({
      url: 'http://rollgate.test/',
      clientKey: 'ck',
      reportKey: 'rk',
      domain: 'client-test',
      fetch: fakeRollgate,
    });
    const app = new Hono();
    app.use(rg.hono());
    app.get('/checkout', async (c) => {
      const on = await rg.client.getBooleanValue('new-checkout', false, { targetingKey: 'u1' });
      return c.json({ on }, on ? 500 : 200);
    });
    const res = await app.request('/checkout');
    expect(await res.json()).toEqual({ on: true });
    await rg.close();

    const ofrep = calls.filter((c) => c.url.includes('/ofrep/'));
    expect(ofrep).toHaveLength(1);
    expect(ofrep[0]).toMatchObject({ auth: 'Bearer ck', body: { context: { targetingKey: 'u1' } } });
    const metrics = calls.filter((c) => c.url === 'http://rollgate.test/v1/metrics');
    expect(metrics).toHaveLength(1);
    expect(metrics[0]).toMatchObject({ auth: 'Bearer rk', body: { reports: [{ flag: 'new-checkout', variant: 'on', count: 1, errors: 1 }] } });
  });
});
