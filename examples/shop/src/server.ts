/**
 * The example shop on Node: `npm start` in examples/shop, with Rollgate running (`npm start` at the
 * repository root). Settings come from the environment:
 *   ROLLGATE_URL (http://127.0.0.1:8787), ROLLGATE_CLIENT_KEY (dev-client-production),
 *   ROLLGATE_REPORT_KEY (dev-report-production), PORT (3000), SHOP_FAIL_SHARE (0: no bug),
 *   SHOP_FLUSH_INTERVAL_MS (the reporter's flush interval, 10000).
 */
import { serve } from '@hono/node-server';
import { createRollgateClient } from '@rollgate/openfeature/node';
import { createShop } from './app';
import { createShopMetrics } from './metrics';

const env = process.env;
const failShare = Number(env['SHOP_FAIL_SHARE'] ?? '0');
if (!(failShare >= 0 && failShare <= 1)) throw new Error(`SHOP_FAIL_SHARE must be a number from 0 to 1, got ${env['SHOP_FAIL_SHARE']}`);

const rollgate = await createRollgateClient({
  url: env['ROLLGATE_URL'] ?? 'http://127.0.0.1:8787',
  clientKey: env['ROLLGATE_CLIENT_KEY'] ?? 'dev-client-production',
  reportKey: env['ROLLGATE_REPORT_KEY'] ?? 'dev-report-production',
  flushIntervalMs: Number(env['SHOP_FLUSH_INTERVAL_MS'] ?? '10000'),
  onError: (e) => console.error(`shop: health report ${e.kind} (${e.status ?? 'network'}): ${e.message}`),
});

// Prometheus metrics at GET /metrics too, for a Rollgate environment whose metrics source is Prometheus.
const app = createShop({ client: rollgate.client, measure: rollgate.hono(), failShare, metrics: createShopMetrics() });
// What the reporter did so far (sent, pending, dropped): operators read it, and so does the e2e test.
app.get('/reporter', (c) => c.json(rollgate.reporter.stats()));

const server = serve({ fetch: app.fetch, port: Number(env['PORT'] ?? '3000'), hostname: '127.0.0.1' }, (info) =>
  console.log(`shop: listening on http://127.0.0.1:${info.port} (fail share ${failShare})`),
);

for (const signal of ['SIGTERM', 'SIGINT'] as const) {
  process.once(signal, () => {
    server.close();
    // Sends what is buffered before exiting.
    void rollgate.close().then(() => process.exit(0));
  });
}
