/**
 * End to end: OFREP event streams from a real local Worker (`wrangler dev`, its own state) to the
 * real `@openfeature/ofrep-web-provider` in headless Chromium (a page on another origin, polling
 * off) and to a server-side Node client. A rollback, by the admin API and by the cron's automatic
 * verdict, changes what both show without a reload. How long that took is measured and printed,
 * not asserted. Its tests run in order on one Worker.
 */
import { type Browser, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN, type LocalWorker, startWorker, waitForFlag } from './cli-support';
import { OfrepSseClient } from './ofrep-sse-client';
import { PageServer } from './stream-page';

const ENV = 'production';
const CLIENT_KEY = `dev-client-${ENV}`;
const ROLLOUTS = `/admin/v1/environments/${ENV}/rollouts`;

let w: LocalWorker;
let browser: Browser;
const pages = new PageServer();

beforeAll(async () => {
  await pages.start();
  w = await startWorker('event-stream');
  await waitForFlag(w.baseUrl, ENV, 'new-checkout');
  browser = await chromium.launch({ executablePath: process.env['CHROMIUM_PATH'] ?? '/usr/bin/chromium', headless: true });
}, 90_000);

afterAll(async () => {
  await browser?.close();
  pages.stop();
  await w?.stop();
});

/** Starts a rollout of new-checkout → on at 50 %; returns its id and start time. */
async function startRollout(extra: Record<string, unknown> = {}): Promise<{ id: string; startedAt: number }> {
  const res = await fetch(`${w.baseUrl}${ROLLOUTS}`, {
    method: 'POST',
    headers: { ...ADMIN, 'x-rollgate-confirm': ENV },
    body: JSON.stringify({
      flag: 'new-checkout',
      variant: 'on',
      strategy: 'fast',
      stages: [
        { percent: 50, afterSeconds: 0 },
        { percent: 100, afterSeconds: 600 },
      ],
      bakeSeconds: 120,
      reason: 'e2e event streams',
      ...extra,
    }),
  });
  expect(res.status, await res.clone().text()).toBe(201);
  return res.json<{ id: string; startedAt: number }>();
}

/** A targeting key the rollout serves `on` (by asking OFREP, as a client would see it). */
async function treatedUser(): Promise<string> {
  for (;;) {
    for (let i = 0; i < 64; i++) {
      const res = await fetch(`${w.baseUrl}/ofrep/v1/evaluate/flags/new-checkout`, {
        method: 'POST',
        headers: { authorization: `Bearer ${CLIENT_KEY}`, 'content-type': 'application/json' },
        body: JSON.stringify({ context: { targetingKey: `user-${i}` } }),
      });
      if ((await res.json<{ value: unknown }>()).value === true) return `user-${i}`;
    }
    // The isolate has not seen the rollout's snapshot yet.
    await new Promise((r) => setTimeout(r, 250));
  }
}

async function shown(page: Page, value: string): Promise<number> {
  // Page code is text here: the test's TypeScript has no DOM types.
  await page.waitForFunction(`document.getElementById('value')?.textContent === ${JSON.stringify(value)}`, undefined, { timeout: 0, polling: 50 });
  return page.evaluate<number>('window.__shown.at(-1).at');
}

async function until(check: () => boolean): Promise<void> {
  while (!check()) await new Promise((r) => setTimeout(r, 20));
}

describe('OFREP event streams to the web provider and a Node client', () => {
  let page: Page;
  let node: OfrepSseClient;
  let loadId = 0;

  it('a rollback through the admin API reaches the page (no reload, polling off) and the Node client', async () => {
    const { id } = await startRollout();
    const tk = await treatedUser();
    page = await browser.newPage();
    await page.goto(`${pages.origin}/?tk=${tk}&key=${CLIENT_KEY}&base=${encodeURIComponent(w.baseUrl)}`);
    await shown(page, 'true');
    loadId = await page.evaluate<number>('window.__loadId');
    node = new OfrepSseClient(w.baseUrl, CLIENT_KEY, { targetingKey: tk });
    await node.start();
    expect(node.values.get('new-checkout')).toBe(true);

    const committed = Date.now();
    const res = await fetch(`${w.baseUrl}${ROLLOUTS}/${id}/rollback`, { method: 'POST', headers: ADMIN, body: JSON.stringify({ reason: 'e2e' }) });
    expect(res.status, await res.clone().text()).toBe(200);
    const pageAt = await shown(page, 'false');
    await until(() => node.values.get('new-checkout') === false);
    const nodeAt = node.changes.at(-1)!.at;
    expect(await page.evaluate<number>('window.__loadId')).toBe(loadId);
    expect(node.refetches).toBeGreaterThan(0);
    console.log(`admin rollback → page shows baseline: ${pageAt - committed} ms; Node client: ${nodeAt - committed} ms`);
  }, 60_000);

  it('an automatic rollback by the cron tick reaches the same page', async () => {
    // At 100 % at once: the page's user (bucketed into the first rollout's half) is served the new
    // variant whatever this rollout's id, so the page must turn "true" before the rollback.
    const { id, startedAt } = await startRollout({
      strategy: 'safe',
      stages: [{ percent: 100, afterSeconds: 0 }],
      bakeSeconds: 600,
      health: { minSamples: 10, sustainedMinutes: 1 },
    });
    await shown(page, 'true'); // the new rollout reached the page over the stream too
    const metrics = await fetch(`${w.baseUrl}/v1/metrics`, {
      method: 'POST',
      headers: { authorization: `Bearer dev-report-${ENV}`, 'content-type': 'application/json' },
      body: JSON.stringify({
        reports: [
          { flag: 'new-checkout', variant: 'on', timestamp: startedAt + 60_000, count: 100, errors: 20, latencyMs: [12, 15, 30] },
          { flag: 'new-checkout', variant: 'off', timestamp: startedAt + 60_000, count: 1900, errors: 0, latencyMs: [12, 15, 30] },
        ],
      }),
    });
    expect(metrics.status, await metrics.clone().text()).toBe(202);
    const committed = Date.now();
    const cron = await fetch(`${w.baseUrl}/cdn-cgi/handler/scheduled?cron=*+*+*+*+*&time=${startedAt + 120_000}`);
    expect(cron.status).toBe(200);
    const rollout = await fetch(`${w.baseUrl}${ROLLOUTS}/${id}`, { headers: ADMIN });
    expect((await rollout.json<{ status: string }>()).status).toBe('rolled_back');
    const pageAt = await shown(page, 'false');
    await until(() => node.values.get('new-checkout') === false);
    expect(await page.evaluate<number>('window.__loadId')).toBe(loadId);
    console.log(`auto-rollback tick → page shows baseline: ${pageAt - committed} ms; Node client: ${node.changes.at(-1)!.at - committed} ms`);
    await node.stop();
  }, 60_000);
});
