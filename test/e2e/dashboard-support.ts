/**
 * Support for the dashboard's browser tests: Debian's chromium driven by playwright-core, an axe-core
 * check of a page, screenshots into test-output/ (git-ignored).
 */
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { type Browser, chromium, type Page } from 'playwright-core';
import { expect } from 'vitest';

export const SCREENSHOTS = 'test-output/dashboard';
export const VIEWER_TOKEN = 'dev-viewer-token';

/** ADMIN_TOKENS for the test Worker: the dev operator of .dev.vars.example and a viewer on every environment. */
export function adminTokensWithViewer(): string {
  const sha = (s: string) => createHash('sha256').update(s).digest('hex');
  return JSON.stringify([
    { name: 'dev', sha256: sha('dev-admin-token'), environments: '*', role: 'operator' },
    { name: 'night-viewer', sha256: sha(VIEWER_TOKEN), environments: '*', role: 'viewer' },
  ]);
}

export async function launchBrowser(): Promise<Browser> {
  mkdirSync(SCREENSHOTS, { recursive: true });
  return chromium.launch({ executablePath: process.env['CHROMIUM_PATH'] || '/usr/bin/chromium', headless: true, args: ['--no-sandbox'] });
}

const AXE = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

interface AxeViolation {
  id: string;
  impact: string | null;
  help: string;
  nodes: { target: unknown[] }[];
}

/** Runs axe-core on the page (through the debugger protocol, which the page's CSP does not govern) and expects no serious or critical violations. */
export async function expectAccessible(page: Page): Promise<void> {
  await page.evaluate(AXE);
  const violations = await page.evaluate(async () => {
    const axe = (globalThis as unknown as { axe: { run(): Promise<{ violations: AxeViolation[] }> } }).axe;
    return (await axe.run()).violations;
  });
  const bad = violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${v.id}: ${v.help} at ${JSON.stringify(v.nodes.map((n) => n.target))}`);
  expect(bad, page.url()).toEqual([]);
}

/** A full-page screenshot under test-output/dashboard. */
export async function shot(page: Page, name: string): Promise<void> {
  await page.screenshot({ path: `${SCREENSHOTS}/${name}.png`, fullPage: true });
}

/** Signs in with a pasted token. */
export async function signIn(page: Page, baseUrl: string, token: string): Promise<void> {
  await page.goto(`${baseUrl}/ui`);
  await expect.poll(() => new URL(page.url()).pathname).toBe('/ui/login');
  await page.getByLabel('Admin token').fill(token);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.waitForURL(`${baseUrl}/ui`);
}
