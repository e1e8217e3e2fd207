/**
 * The operator's dashboard in a real browser (Debian's chromium through playwright-core) against a
 * real local Worker seeded as `npm start` seeds it. The tests run in order on one Worker: sign in,
 * watch a rollout roll back on its own, roll one back by clicking, the typed confirmation of a
 * protected environment, a viewer's limits, CSRF, every page's accessibility, sign out.
 */
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN, type LocalWorker, startWorker } from './cli-support';
import { adminTokensWithViewer, expectAccessible, launchBrowser, shot, signIn, VIEWER_TOKEN } from './dashboard-support';

const HEALTH = { minSamples: 10, sustainedMinutes: 1 };
const STAGES = [
  { percent: 10, afterSeconds: 0 },
  { percent: 50, afterSeconds: 3600 },
  { percent: 100, afterSeconds: 7200 },
];

let w: LocalWorker;
let browser: Browser;
let context: BrowserContext;
let page: Page;

async function startRollout(env: string, flag = 'new-checkout'): Promise<{ id: string; startedAt: number }> {
  const res = await fetch(`${w.baseUrl}/admin/v1/environments/${env}/rollouts`, {
    method: 'POST',
    headers: { ...ADMIN, 'x-rollgate-confirm': env },
    body: JSON.stringify({ flag, variant: 'on', strategy: 'safe', stages: STAGES, health: HEALTH, reason: 'dashboard e2e' }),
  });
  expect(res.status, await res.clone().text()).toBe(201);
  return res.json<{ id: string; startedAt: number }>();
}

function rolloutUrl(env: string, id: string): string {
  return `${w.baseUrl}/ui/env/${env}/rollouts/${id}`;
}

beforeAll(async () => {
  w = await startWorker('dashboard', { ADMIN_TOKENS: adminTokensWithViewer() });
  browser = await launchBrowser();
  context = await browser.newContext();
  page = await context.newPage();
});

afterAll(async () => {
  await browser?.close();
  await w?.stop();
});

describe('the dashboard', () => {
  it('signs in with a pasted token and shows every seeded environment, with its security headers', async () => {
    const refused = await fetch(`${w.baseUrl}/ui`, { redirect: 'manual' });
    expect(refused.status).toBe(303);
    expect(refused.headers.get('location')).toBe('/ui/login');
    await page.goto(`${w.baseUrl}/ui/login`);
    await page.getByLabel('Admin token').fill('not-a-token');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await expect.poll(() => page.getByRole('alert').textContent()).toContain('not valid');

    await signIn(page, w.baseUrl, 'dev-admin-token');
    const cookie = (await context.cookies()).find((c) => c.name === 'rollgate_session');
    expect(cookie).toMatchObject({ httpOnly: true, secure: true, sameSite: 'Strict', path: '/ui' });
    expect(cookie!.value).not.toContain('dev-admin-token');
    for (const env of ['development', 'staging', 'production']) await expect.poll(() => page.getByRole('heading', { name: env }).count()).toBe(1);

    const res = await page.request.get(`${w.baseUrl}/ui`);
    const csp = res.headers()['content-security-policy'] ?? '';
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).toContain("script-src 'self'");
    expect(csp).not.toContain('unsafe-inline');
    expect(res.headers()['referrer-policy']).toBe('no-referrer');
    await shot(page, 'overview');
    await expectAccessible(page);
  });

  it('shows a rollout started through the API with its stage, then rolled back by the tick with the decision on the chart', async () => {
    const { id, startedAt } = await startRollout('staging');
    await page.goto(`${w.baseUrl}/ui`);
    const row = page.locator('section[aria-label="staging"] tr', { hasText: id });
    await expect.poll(() => row.textContent()).toContain('10 % · stage 1/3');

    await page.goto(rolloutUrl('staging', id));
    await expect.poll(() => page.locator('main').textContent()).toContain('stage 1 of 3');
    const report = (variant: string, count: number, errors: number) => ({
      flag: 'new-checkout',
      variant,
      timestamp: startedAt + 60_000,
      count,
      errors,
      latencyMs: Array.from({ length: 100 }, (_, i) => 20 + i),
    });
    const metrics = await fetch(`${w.baseUrl}/v1/metrics`, {
      method: 'POST',
      headers: { authorization: 'Bearer dev-report-staging', 'content-type': 'application/json' },
      body: JSON.stringify({ reports: [report('on', 100, 20), report('off', 1900, 0)] }),
    });
    expect(metrics.status, await metrics.clone().text()).toBe(202);
    const cron = await fetch(`${w.baseUrl}/cdn-cgi/handler/scheduled?cron=*+*+*+*+*&time=${startedAt + 120_000}`);
    expect(cron.status).toBe(200);

    await page.reload();
    await expect.poll(() => page.locator('main p', { hasText: 'Status:' }).textContent()).toContain('rolled back');
    // The decision is marked on each of the three charts, and the treatment and baseline are drawn.
    expect(await page.locator('svg.chart g.decision', { hasText: 'roll' }).count()).toBe(3);
    expect(await page.locator('svg.chart polyline.treatment').first().getAttribute('points')).toMatch(/\d/);
    expect(await page.locator('svg.chart polyline.baseline').first().getAttribute('points')).toMatch(/\d/);
    expect(await page.locator('main').textContent()).toMatch(/errors: treatment 20 % vs baseline 0 %/);
    expect(await page.getByRole('button', { name: 'Roll back' }).count()).toBe(0);
    await shot(page, 'rollout-rolled-back');
    await expectAccessible(page);
  });

  it('rolls back a staging rollout by clicking, without a confirmation', async () => {
    const { id } = await startRollout('staging');
    await page.goto(rolloutUrl('staging', id));
    await shot(page, 'rollout-running');
    await expectAccessible(page);
    await page.getByRole('button', { name: 'Roll back' }).click();
    await expect.poll(() => page.locator('main p', { hasText: 'Status:' }).textContent()).toContain('rolled back');
    const api = await fetch(`${w.baseUrl}/admin/v1/environments/staging/rollouts/${id}`, { headers: ADMIN });
    expect(await api.json()).toMatchObject({ status: 'rolled_back' });
  });

  it('asks for the typed name of production before a promote; rollback needs none', async () => {
    const { id } = await startRollout('production');
    await page.goto(rolloutUrl('production', id));
    const promote = page.locator('form[action$="/promote"]');
    await promote.getByRole('button', { name: 'Promote' }).click();
    await expect.poll(() => page.getByRole('alert').textContent()).toContain('"production" is protected');
    await shot(page, 'rollout-confirmation');
    await promote.getByLabel('Type “production” to confirm').fill('production');
    await promote.getByRole('button', { name: 'Promote' }).click();
    await expect.poll(() => page.locator('main p', { hasText: 'Status:' }).textContent()).toContain('stage 2 of 3');
    await page.locator('form[action$="/rollback"]').getByRole('button', { name: 'Roll back' }).click();
    await expect.poll(() => page.locator('main p', { hasText: 'Status:' }).textContent()).toContain('rolled back');
  });

  it('refuses a state change without the CSRF token', async () => {
    const { id } = await startRollout('development', 'express-pay-buttons'); // new-checkout's default there is already "on"
    const res = await page.request.post(`${rolloutUrl('development', id)}/rollback`, { form: { reason: 'no csrf' } });
    expect(res.status()).toBe(403);
    const api = await fetch(`${w.baseUrl}/admin/v1/environments/development/rollouts/${id}`, { headers: ADMIN });
    expect(await api.json()).toMatchObject({ status: 'running' });
  });

  it('shows the environment, flag, audit and keys pages, a diff between two config versions; issues a key whose secret is shown once', async () => {
    const flags = { ...w.config.flags, 'ui-added': { state: 'ENABLED', variants: { on: true, off: false }, defaultVariant: 'off' } };
    const put = await fetch(`${w.baseUrl}/admin/v1/environments/development/flags`, {
      method: 'PUT',
      headers: { ...ADMIN, 'x-rollgate-reason': 'add ui-added' },
      body: JSON.stringify({ ...w.config, flags }),
    });
    expect(put.status, await put.clone().text()).toBe(200);
    const { version } = await put.json<{ version: number }>();
    for (const [name, path] of [
      ['environment', '/ui/env/development'],
      ['flag', '/ui/env/development/flags/new-checkout'],
      ['audit', '/ui/env/development/audit'],
      ['keys', '/ui/env/development/keys'],
    ] as const) {
      const res = await page.goto(`${w.baseUrl}${path}`);
      expect(res?.status(), path).toBe(200);
      await shot(page, name);
      await expectAccessible(page);
    }
    await page.goto(`${w.baseUrl}/ui/env/development?from=${version - 1}&to=${version}`);
    const diff = page.locator('[aria-label="diff"]');
    await expect.poll(() => diff.textContent()).toContain('1 changed');
    expect(await diff.textContent()).toContain('ui-added added');
    expect(await page.locator('section[aria-label="config versions"]').textContent()).toContain('add ui-added');
    await shot(page, 'environment-diff');
    await expectAccessible(page);
    await page.goto(`${w.baseUrl}/ui/env/development?q=checkout`);
    expect(await page.locator('tbody tr').count()).toBeGreaterThan(0);
    await page.goto(`${w.baseUrl}/ui/env/development/keys`);
    await page.getByLabel('New key name').fill('ui-e2e');
    await page.getByRole('button', { name: 'Issue key' }).click();
    await expect.poll(() => page.getByRole('status').textContent()).toMatch(/shown once/);
    await page.goto(`${w.baseUrl}/ui/env/development/keys`);
    expect(await page.locator('main').textContent()).toContain('ui-e2e');
    expect(await page.getByRole('status').count()).toBe(0);
  });

  it('shows a viewer no action buttons and answers 403 when it posts anyway', async () => {
    const viewerContext = await browser.newContext();
    const viewer = await viewerContext.newPage();
    await signIn(viewer, w.baseUrl, VIEWER_TOKEN);
    const { id } = await startRollout('staging', 'new-checkout');
    await viewer.goto(rolloutUrl('staging', id));
    expect(await viewer.getByRole('button', { name: 'Roll back' }).count()).toBe(0);
    expect(await viewer.getByRole('button', { name: 'Pause' }).count()).toBe(0);
    await shot(viewer, 'rollout-viewer');
    const csrf = await viewer.locator('input[name="csrf"]').first().getAttribute('value');
    const res = await viewer.request.post(`${rolloutUrl('staging', id)}/rollback`, { form: { reason: 'viewer', csrf: csrf! } });
    expect(res.status()).toBe(403);
    const api = await fetch(`${w.baseUrl}/admin/v1/environments/staging/rollouts/${id}`, { headers: ADMIN });
    expect(await api.json()).toMatchObject({ status: 'running' });
    await viewerContext.close();
  });

  it('signs out', async () => {
    await page.goto(`${w.baseUrl}/ui`);
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.waitForURL(`${w.baseUrl}/ui/login`);
    expect((await context.cookies()).find((c) => c.name === 'rollgate_session')).toBeUndefined();
    await page.goto(`${w.baseUrl}/ui`);
    expect(new URL(page.url()).pathname).toBe('/ui/login');
  });
});
