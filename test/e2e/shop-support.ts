/**
 * The example shop (examples/shop) as a real process for the shop e2e test, and the load
 * generator that drives it and keeps its own counts of what each variant served.
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { freePort, waitForOk } from './support';

export interface Shop {
  baseUrl: string;
  /** /checkout requests sent so far (each one evaluates new-checkout once, so the reporter records each). */
  sent: number;
  output(): string;
  stop(): void;
}

/** Builds the sdk package (dist/, as published), so the shop imports it as any application would. */
export function buildSdk(): void {
  execFileSync(process.execPath, ['sdk/openfeature/build.mjs'], { stdio: 'pipe' });
}

/** Starts `tsx src/server.ts` in examples/shop against a Rollgate environment. */
export async function startShop(rollgateUrl: string, environment: string, failShare: number): Promise<Shop> {
  const port = await freePort();
  let output = '';
  const child: ChildProcess = spawn('tsx', ['src/server.ts'], {
    cwd: 'examples/shop',
    env: {
      ...process.env,
      PORT: String(port),
      ROLLGATE_URL: rollgateUrl,
      ROLLGATE_CLIENT_KEY: `dev-client-${environment}`,
      ROLLGATE_REPORT_KEY: `dev-report-${environment}`,
      SHOP_FAIL_SHARE: String(failShare),
      SHOP_FLUSH_INTERVAL_MS: '500',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  child.stdout!.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (output += d.toString()));
  const baseUrl = `http://127.0.0.1:${port}`;
  const shop: Shop = {
    baseUrl,
    sent: 0,
    output: () => output,
    stop: () => {
      try {
        if (child.pid) process.kill(-child.pid, 'SIGTERM');
      } catch {
        // already gone
      }
    },
  };
  try {
    await waitForOk(
      `${baseUrl}/health`,
      () => child,
      () => output,
      Date.now() + 30_000,
    );
  } catch (err) {
    shop.stop();
    throw err;
  }
  return shop;
}

/** What the load generator saw, per variant. */
export type Counts = Record<string, { requests: number; errors: number }>;

/** Sends one checkout per user (8 at a time) and counts what came back by the `x-variant` header; 5xx are errors. */
export async function load(shop: Shop, users: readonly string[]): Promise<Counts> {
  const counts: Counts = {};
  let next = 0;
  const worker = async () => {
    while (next < users.length) {
      const user = users[next++]!;
      shop.sent++;
      const res = await fetch(`${shop.baseUrl}/checkout?user=${encodeURIComponent(user)}`);
      await res.arrayBuffer();
      const variant = res.headers.get('x-variant') ?? '(none)';
      const c = (counts[variant] ??= { requests: 0, errors: 0 });
      c.requests++;
      if (res.status >= 500) c.errors++;
    }
  };
  await Promise.all(Array.from({ length: 8 }, worker));
  return counts;
}

interface ReporterStats {
  recorded: number;
  sentRequests: number;
  pendingReports: number;
  droppedRequests: number;
  rejectedRequests: number;
  lastError: string | null;
}

/** Waits until the shop's reporter has recorded and sent every request the generator made. */
export async function drained(shop: Shop, timeoutMs = 15_000): Promise<ReporterStats> {
  const deadline = Date.now() + timeoutMs;
  let stats: ReporterStats | null = null;
  while (Date.now() < deadline) {
    stats = await (await fetch(`${shop.baseUrl}/reporter`)).json<ReporterStats>();
    if (stats.recorded === shop.sent && stats.pendingReports === 0 && stats.sentRequests + stats.droppedRequests + stats.rejectedRequests === shop.sent)
      return stats;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`the shop's reporter did not send its ${shop.sent} requests: ${JSON.stringify(stats)}\n${shop.output()}`);
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, Math.max(0, ms)));

/** The end of the minute `t` falls in. */
export const minuteEnd = (t: number) => Math.floor(t / 60_000) * 60_000 + 60_000;
