/**
 * End to end: notifications from a real local Worker (`wrangler dev`, state in a temporary
 * directory, secrets from .dev.vars.example) to real HTTP receivers on loopback ports started by
 * this test, which verify X-Rollgate-Signature with node:crypto as a receiver would. The rollback
 * is driven as in production: metric reports posted to /v1/metrics and the cron fired through
 * wrangler's scheduled handler. Its tests run in order on one Worker.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RollgateConfig } from '../../src/core/schema/config';
import type { Notification } from '../../src/core/schema/notifications';
import { ADMIN, liveConfig, type LocalWorker, startWorker, waitForFlag } from './cli-support';

const ENV = 'production';
const SECRET = `dev-webhook-secret-${ENV}`;

interface Hit {
  path: string;
  at: number;
  headers: IncomingMessage['headers'];
  body: string;
}

/** Receivers on one loopback port: /ops answers 200, /flaky 500 twice then 200, /silent never answers. */
class Receivers {
  readonly hits: Hit[] = [];
  private flaky = [500, 500];
  private readonly sockets = new Set<Socket>();
  private server!: Server;
  port = 0;

  async start(): Promise<void> {
    this.server = createServer((req: IncomingMessage, res: ServerResponse) => {
      let body = '';
      req.on('data', (d: Buffer) => (body += d.toString()));
      req.on('end', () => {
        this.hits.push({ path: req.url ?? '', at: Date.now(), headers: req.headers, body });
        if (req.url === '/silent') return; // never answers; the connection stays open
        const status = req.url === '/flaky' ? (this.flaky.shift() ?? 200) : 200;
        res.writeHead(status).end();
      });
    });
    this.server.on('connection', (s: Socket) => {
      this.sockets.add(s);
      s.on('close', () => this.sockets.delete(s));
    });
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    this.port = (this.server.address() as { port: number }).port;
  }

  stop(): void {
    for (const s of this.sockets) s.destroy();
    this.server?.close();
  }

  on(path: string, event?: string): Hit[] {
    return this.hits.filter((h) => h.path === path && (event === undefined || h.headers['x-rollgate-event'] === event));
  }

  async waitFor(path: string, n: number, deadline: number, event?: string): Promise<Hit[]> {
    while (this.on(path, event).length < n) {
      if (Date.now() > deadline) throw new Error(`${path} got ${this.on(path, event).length} of ${n} requests in time:\n${w.output().slice(-3000)}`);
      await new Promise((r) => setTimeout(r, 100));
    }
    return this.on(path, event);
  }
}

/** What a receiver does with X-Rollgate-Signature: some v1 is the HMAC of "t.body" with its secret. */
function verified(hit: Hit, secret: string): boolean {
  const parts = String(hit.headers['x-rollgate-signature'] ?? '').split(',');
  const t = parts.find((p) => p.startsWith('t='))?.slice(2);
  const expected = createHmac('sha256', secret).update(`${t}.${hit.body}`).digest();
  return parts.some((p) => p.startsWith('v1=') && timingSafeEqual(Buffer.from(p.slice(3).padEnd(64, '0').slice(0, 64), 'hex'), expected));
}

interface Delivery {
  notification: string;
  event: string;
  status: string;
  attempts: number;
  attemptLog: { at: string; status: number | null; error: string | null; durationMs: number }[];
}

async function deliveries(): Promise<Delivery[]> {
  const res = await fetch(`${w.baseUrl}/admin/v1/environments/${ENV}/notifications?limit=100`, { headers: ADMIN });
  expect(res.status).toBe(200);
  return (await res.json<{ deliveries: Delivery[] }>()).deliveries;
}

let w: LocalWorker;
const receivers = new Receivers();

beforeAll(async () => {
  await receivers.start();
  w = await startWorker('notifications', { SNAPSHOT_REFRESH_MS: '200' });
  await waitForFlag(w.baseUrl, ENV, 'new-checkout');
});

afterAll(async () => {
  receivers.stop();
  await w?.stop();
});

describe('notifications to real receivers on loopback', () => {
  let startedAt = 0;
  let rolloutId = '';
  let cronMs = 0;

  it('a config write with notifications is delivered, signed, to a receiver answering 500 twice: three attempts with backoff, one success', async () => {
    const live = await liveConfig(w.baseUrl, ENV);
    const hook = (name: string, path: string, events: Notification['events']): Notification => ({
      name,
      url: `http://127.0.0.1:${receivers.port}${path}`,
      events,
    });
    const document: RollgateConfig = structuredClone(live.document);
    document.environments = [
      'development',
      'staging',
      {
        name: ENV,
        protected: true,
        notifications: [
          hook('ops', '/ops', ['rollout.rolled_back']),
          hook('flaky', '/flaky', ['config.changed']),
          hook('silent', '/silent', ['rollout.rolled_back']),
        ],
      },
    ];
    const put = await fetch(`${w.baseUrl}/admin/v1/environments/${ENV}/flags`, {
      method: 'PUT',
      headers: { ...ADMIN, 'if-match': `"${live.version}"`, 'x-rollgate-confirm': ENV, 'x-rollgate-reason': 'e2e notifications' },
      body: JSON.stringify(document),
    });
    expect(put.status, await put.clone().text()).toBe(200);

    const hits = await receivers.waitFor('/flaky', 3, Date.now() + 30_000);
    expect(hits).toHaveLength(3);
    expect(hits.every((h) => verified(h, SECRET))).toBe(true);
    expect(hits.some((h) => verified(h, 'dev-webhook-secret-staging'))).toBe(false);
    expect(new Set(hits.map((h) => h.headers['x-rollgate-delivery'])).size).toBe(1);
    expect(JSON.parse(hits[0]!.body)).toMatchObject({ event: 'config.changed', environment: ENV, action: 'config.put', reason: 'e2e notifications' });

    const [d] = (await deliveries()).filter((x) => x.notification === 'flaky');
    expect(d).toMatchObject({ status: 'delivered', attempts: 3 });
    expect(d!.attemptLog.map((a) => a.status)).toEqual([500, 500, 200]);
    const at = d!.attemptLog.map((a) => Date.parse(a.at));
    // The recorded schedule: at least 2 s, then 8 s, between attempts (the backoff), not a timing of the test.
    expect(at[1]! - at[0]!).toBeGreaterThanOrEqual(2000);
    expect(at[2]! - at[1]!).toBeGreaterThanOrEqual(8000);
    console.log(`flaky receiver: attempts at +0, +${at[1]! - at[0]!} ms, +${at[2]! - at[0]!} ms`);
  }, 60_000);

  it('an automatic rollback: the tick answers while a receiver never answers; ops gets exactly one signed delivery with the numbers', async () => {
    const start = await fetch(`${w.baseUrl}/admin/v1/environments/${ENV}/rollouts`, {
      method: 'POST',
      headers: { ...ADMIN, 'x-rollgate-confirm': ENV },
      body: JSON.stringify({
        flag: 'new-checkout',
        variant: 'on',
        strategy: 'safe',
        stages: [
          { percent: 10, afterSeconds: 0 },
          { percent: 100, afterSeconds: 600 },
        ],
        bakeSeconds: 120,
        health: { minSamples: 10, sustainedMinutes: 1 },
        reason: 'e2e notifications',
      }),
    });
    expect(start.status, await start.clone().text()).toBe(201);
    ({ id: rolloutId, startedAt } = await start.json<{ id: string; startedAt: number }>());

    const metrics = await fetch(`${w.baseUrl}/v1/metrics`, {
      method: 'POST',
      headers: { authorization: `Bearer dev-report-${ENV}`, 'content-type': 'application/json' },
      body: JSON.stringify({
        reports: [
          {
            flag: 'new-checkout',
            variant: 'on',
            timestamp: startedAt + 60_000,
            count: 100,
            errors: 20,
            latencyMs: Array.from({ length: 100 }, (_, i) => 20 + i),
          },
        ],
      }),
    });
    expect(metrics.status, await metrics.clone().text()).toBe(202);

    const t0 = performance.now();
    const cron = await fetch(`${w.baseUrl}/cdn-cgi/handler/scheduled?cron=*+*+*+*+*&time=${startedAt + 120_000}`);
    cronMs = performance.now() - t0;
    expect(cron.status, await cron.clone().text()).toBe(200);
    // When the cron has answered, the rollback is committed, while the silent receiver's delivery is still pending.
    const rollout = await fetch(`${w.baseUrl}/admin/v1/environments/${ENV}/rollouts/${rolloutId}`, { headers: ADMIN });
    expect((await rollout.json<{ status: string }>()).status).toBe('rolled_back');
    expect((await deliveries()).find((d) => d.notification === 'silent')).toMatchObject({ event: 'rollout.rolled_back', status: 'pending' });
    console.log(`cron tick (rollback) answered in ${cronMs.toFixed(0)} ms with a receiver that never answers`);

    const [hit] = await receivers.waitFor('/ops', 1, Date.now() + 15_000, 'rollout.rolled_back');
    expect(verified(hit!, SECRET)).toBe(true);
    expect(String(hit!.headers['x-rollgate-signature'])).toMatch(/^t=\d+,v1=[0-9a-f]{64}$/);
    const body = JSON.parse(hit!.body) as Record<string, any>;
    expect(body).toMatchObject({
      id: hit!.headers['x-rollgate-delivery'],
      event: 'rollout.rolled_back',
      environment: ENV,
      decidedBy: { actor: 'rollgate', automatic: true },
      action: 'rollout.auto_rolled_back',
      flag: 'new-checkout',
      rollout: { id: rolloutId, variant: 'on', baselineVariant: 'off', status: 'rolled_back', percent: 0, stage: { number: 1, of: 2, percent: 10 } },
      evidence: { verdict: 'breached', trigger: 'error_rate', treatment: { samples: 100, errorRate: 0.2 } },
      links: { cli: `rollgate status new-checkout --env ${ENV}` },
    });
    expect(body['reason']).toMatch(/^rolled back: error_rate 20% > 1%/);
  }, 60_000);

  it('a repeated cron adds no delivery; the silent receiver times out and is retried, ops stays at one', async () => {
    const again = await fetch(`${w.baseUrl}/cdn-cgi/handler/scheduled?cron=*+*+*+*+*&time=${startedAt + 120_000}`);
    expect(again.status).toBe(200);
    const rolledBack = (await deliveries()).filter((d) => d.event === 'rollout.rolled_back');
    expect(rolledBack.map((d) => d.notification).sort()).toEqual(['ops', 'silent']);

    const deadline = Date.now() + 30_000;
    let silent: Delivery | undefined;
    while (Date.now() < deadline) {
      silent = (await deliveries()).find((d) => d.notification === 'silent');
      if (silent && silent.attemptLog.length > 0) break;
      await new Promise((r) => setTimeout(r, 250));
    }
    expect(silent).toMatchObject({ status: 'pending' });
    expect(silent!.attemptLog[0]).toMatchObject({ status: null, error: 'timed out after 5000 ms' });
    expect(receivers.on('/ops', 'rollout.rolled_back')).toHaveLength(1);
  }, 60_000);
});
