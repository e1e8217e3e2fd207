/**
 * Verdicts from Prometheus alone: an app exports per-variant counters and a latency histogram
 * with prom-client, a real Prometheus scrapes it every second, and the staging environment's
 * config points its metrics source at that Prometheus. No report is posted to /v1/metrics. Two
 * rollouts start together; at the first tick after their first whole minute, the faulty one
 * (30 % errors) is rolled back and the healthy one is promoted, each from Prometheus' answers.
 * Real time: the test waits for one real minute of traffic (Prometheus cannot be asked about
 * the future), about two minutes in all.
 */
import { createServer, type Server } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createShopMetrics } from '../../examples/shop/src/metrics';
import type { RolloutView } from '../../src/coordinator/rollout-ops';
import type { RollgateConfig } from '../../src/core/schema/config';
import { ADMIN, type LocalWorker, startWorker } from './cli-support';
import { type LocalPrometheus, startPrometheus } from './prometheus-support';
import { freePort } from './support';

const MIN = 60_000;
const FAULTY = 'new-checkout';
const HEALTHY = 'dark-mode';

let worker: LocalWorker;
let prom: LocalPrometheus;
let app: Server;
let load: ReturnType<typeof setInterval>;

/**
 * The app's metrics, built as the example shop builds them (examples/shop/src/metrics.ts): every
 * 100 ms, for each flag, 1 request served "on" and 9 served "off" (the 10 % stage), counted and timed.
 */
async function startApp(): Promise<string> {
  const metrics = createShopMetrics();
  let n = 0;
  load = setInterval(() => {
    n++;
    for (const flag of [FAULTY, HEALTHY]) {
      for (let k = 0; k < 10; k++) {
        const variant = k === 0 ? 'on' : 'off';
        // The faulty flag's new variant fails 3 requests in 10.
        metrics.observe(flag, variant, flag === FAULTY && variant === 'on' && n % 10 < 3, 0.04 + ((n + k) % 5) * 0.01);
      }
    }
  }, 100);
  const port = await freePort();
  app = createServer((_req, res) => {
    void metrics.text().then((text) => {
      res.writeHead(200, { 'content-type': metrics.registry.contentType });
      res.end(text);
    });
  });
  await new Promise<void>((resolve) => app.listen(port, '127.0.0.1', resolve));
  return `127.0.0.1:${port}`;
}

const query = (extra = '') => `sum(increase(shop_requests_total{flag="{{flag}}",variant="{{variant}}"${extra}}[{{window}}]))`;

async function admin<T>(method: string, path: string, body?: unknown): Promise<{ status: number; json: T }> {
  const res = await fetch(`${worker.baseUrl}/admin/v1${path}`, {
    method,
    headers: { ...ADMIN, 'x-rollgate-reason': 'prometheus e2e' },
    ...(body ? { body: JSON.stringify(body) } : {}),
  });
  return { status: res.status, json: await res.json<T>() };
}

beforeAll(async () => {
  const target = await startApp();
  [prom, worker] = await Promise.all([startPrometheus([target]), startWorker('prometheus')]);
  const config = structuredClone<RollgateConfig>(worker.config);
  config.environments = (config.environments ?? []).map((e) =>
    e === 'staging'
      ? {
          name: 'staging',
          metrics: {
            source: 'prometheus',
            url: prom.url,
            queries: {
              requests: query(),
              errors: query(',outcome="error"'),
              latencyBuckets: 'sum by (le) (increase(shop_request_duration_seconds_bucket{flag="{{flag}}",variant="{{variant}}"}[{{window}}]))',
            },
          },
        }
      : e,
  );
  const put = await admin('PUT', '/environments/staging/flags', config);
  expect(put.status, JSON.stringify(put.json)).toBe(200);
}, 120_000);

afterAll(async () => {
  clearInterval(load);
  app?.close();
  prom?.stop();
  await worker?.stop();
});

describe('a Prometheus metrics source', () => {
  it('refuses a source it could not call, or templates without {{variant}}, before saving', async () => {
    const config = structuredClone<RollgateConfig>(worker.config);
    config.environments = [
      'development',
      { name: 'staging', metrics: { source: 'prometheus', url: 'http://10.1.2.3:9090', queries: { requests: 'sum(x[{{window}}])', errors: query() } } },
      'production',
    ];
    const res = await admin<{ errors: Array<{ path: string }> }>('PUT', '/environments/staging/flags', config);
    expect(res.status).toBe(422);
    expect(res.json.errors.map((e) => e.path)).toEqual(['/environments/1/metrics/url', '/environments/1/metrics/queries/requests']);
  });

  it("rolls back the faulty rollout and promotes the healthy one from Prometheus' answers alone", async () => {
    const start = async (flag: string) => {
      const res = await admin<RolloutView>('POST', '/environments/staging/rollouts', {
        flag,
        variant: 'on',
        strategy: 'safe',
        stages: [
          { percent: 10, afterSeconds: 0 },
          { percent: 50, afterSeconds: 60 },
          { percent: 100, afterSeconds: 3600 },
        ],
        health: { minSamples: 10, sustainedMinutes: 1 },
      });
      expect(res.status, JSON.stringify(res.json)).toBe(201);
      return res.json;
    };
    const [faulty, healthy] = await Promise.all([start(FAULTY), start(HEALTHY)]);
    // The first whole minute after the starts, complete and scraped.
    const firstWhole = Math.floor(Math.max(faulty.startedAt, healthy.startedAt) / MIN) * MIN + MIN;
    const tickAt = firstWhole + MIN;
    await new Promise((r) => setTimeout(r, Math.max(0, tickAt + 3000 - Date.now())));
    const cron = await fetch(`${worker.baseUrl}/cdn-cgi/handler/scheduled?cron=*+*+*+*+*&time=${tickAt}`);
    expect(cron.status).toBe(200);

    const after = async (id: string) => (await admin<RolloutView>('GET', `/environments/staging/rollouts/${id}`)).json;
    const bad = await after(faulty.id);
    expect(bad, worker.output().slice(-2000)).toMatchObject({ status: 'rolled_back', lastVerdict: { kind: 'breached' } });
    const numbers = (bad.lastVerdict as { numbers: { samples: number; errorRate: number; baseline: { samples: number } } }).numbers;
    // About 600 requests of "on" in the minute (Prometheus' increase extrapolates a little), 30 % errors, and 9 times as many "off".
    expect(numbers.samples).toBeGreaterThan(400);
    expect(numbers.errorRate).toBeGreaterThan(0.2);
    expect(numbers.baseline.samples).toBeGreaterThan(8 * numbers.samples);
    const good = await after(healthy.id);
    expect(good, JSON.stringify(good.lastVerdict)).toMatchObject({ status: 'running', percent: 50, stageIndex: 1 });
  }, 200_000);
});
