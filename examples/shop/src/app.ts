import type { Client } from '@openfeature/server-sdk';
import { Hono, type MiddlewareHandler } from 'hono';
import type { ShopMetrics } from './metrics';

export interface ShopOptions {
  /** The OpenFeature client (its provider and hook set up by createRollgateClient). */
  client: Client;
  /** Middleware measuring each request for Rollgate (rollgate.hono()). */
  measure: MiddlewareHandler;
  /** Share of checkouts, 0 to 1, that fail (500) when the new checkout is served: this example's injected bug. */
  failShare: number;
  random?: () => number;
  /** Prometheus metrics of the checkout (GET /metrics), when the shop should expose them. */
  metrics?: ShopMetrics;
}

/**
 * The shop: `GET /checkout?user=<id>` runs the new single-page checkout or the old wizard,
 * whichever Rollgate serves this user through the `new-checkout` flag. The new checkout has a bug
 * that fails `failShare` of its requests. Answers say which variant served them (`x-variant`).
 */
export function createShop(o: ShopOptions): Hono {
  const random = o.random ?? Math.random;
  const app = new Hono();
  app.get('/health', (c) => c.text('ok'));
  app.use('/checkout', o.measure);
  if (o.metrics) {
    const metrics = o.metrics;
    app.get('/metrics', async (c) => c.text(await metrics.text(), 200, { 'content-type': metrics.registry.contentType }));
    app.use('/checkout', async (c, next) => {
      const started = performance.now();
      await next();
      const variant = c.res.headers.get('x-variant');
      if (variant) metrics.observe('new-checkout', variant, c.res.status >= 500, (performance.now() - started) / 1000);
    });
  }
  app.get('/checkout', async (c) => {
    const user = c.req.query('user') ?? 'anonymous';
    const details = await o.client.getBooleanDetails('new-checkout', false, { targetingKey: user });
    const variant = details.variant ?? 'default';
    c.header('x-variant', variant);
    if (details.value && random() < o.failShare) throw new Error('new checkout: payment step failed');
    return c.json({ user, checkout: details.value ? 'single-page' : 'wizard', variant });
  });
  app.onError((err, c) => c.json({ error: err.message }, 500));
  return app;
}
