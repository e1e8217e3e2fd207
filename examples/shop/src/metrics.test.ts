import type { Client } from '@openfeature/server-sdk';
import type { MiddlewareHandler } from 'hono';
import { describe, expect, it } from 'vitest';
import { createShop } from './app';
import { createShopMetrics } from './metrics';

/** A client that serves `on` to users whose id starts with "a", `off` to the others. */
const client = {
  getBooleanDetails: async (_flag: string, _default: boolean, ctx: { targetingKey: string }) => {
    const on = ctx.targetingKey.startsWith('a');
    return { value: on, variant: on ? 'on' : 'off' };
  },
} as unknown as Client;
const measure: MiddlewareHandler = async (_c, next) => next();

describe("the shop's Prometheus metrics", () => {
  it('counts each checkout by variant and outcome, and times it, at GET /metrics', async () => {
    const metrics = createShopMetrics();
    const shop = createShop({ client, measure, failShare: 1, metrics });
    expect((await shop.request('/checkout?user=ann')).status).toBe(500); // the new checkout's bug
    expect((await shop.request('/checkout?user=bob')).status).toBe(200);
    expect((await shop.request('/checkout?user=bea')).status).toBe(200);
    const res = await shop.request('/metrics');
    expect(res.headers.get('content-type')).toContain('text/plain');
    const text = await res.text();
    expect(text).toContain('shop_requests_total{flag="new-checkout",variant="on",outcome="error"} 1');
    expect(text).toContain('shop_requests_total{flag="new-checkout",variant="off",outcome="ok"} 2');
    expect(text).toContain('shop_request_duration_seconds_count{flag="new-checkout",variant="off"} 2');
  });
});
