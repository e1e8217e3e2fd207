// `npm run rehearse [-- --url http://127.0.0.1:8787]`: a whole automatic rollback, locally, in well
// under two minutes. Without --url it starts its own dev server (npm start's script) on a free port
// with a temporary state directory, and stops it afterwards; with --url it uses a running one
// (the admin token dev-admin-token, report key dev-report-staging, client key dev-client-staging).
// Then: `rollgate deploy` of new-checkout in staging with a 1-minute health window, watching
// (--wait); a minute of breaching reports (20 % errors) stamped after the rollout's start; the
// cron fired through /cdn-cgi/handler/scheduled at the start + 2 minutes (a tick may be at most
// two minutes ahead of the clock); the CLI ends with the rollback (exit 3), the audit entry and
// the baseline served are shown. Exit 0 when it rolled back, 1 otherwise.
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { freePort } from '../lib/free-port';
import { stopGroupAndRemove } from '../lib/process-group';

const ENV = 'staging';
const FLAG = 'new-checkout';
const ADMIN = { authorization: 'Bearer dev-admin-token', 'content-type': 'application/json' };
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const say = (line: string) => console.log(`rehearse: ${line}`);

const { values } = parseArgs({ options: { url: { type: 'string' } } });

/** Starts npm start's script on its own port and state directory; resolves once it has seeded every environment. */
async function startServer(): Promise<{ url: string; stop: () => Promise<void> }> {
  const port = await freePort();
  const stateDir = mkdtempSync(join(tmpdir(), 'rollgate-rehearse-'));
  let output = '';
  const child: ChildProcess = spawn('tsx', ['scripts/dev/start.ts'], {
    env: { ...process.env, PORT: String(port), ROLLGATE_STATE_DIR: stateDir, ROLLGATE_ENV_FILE: '.dev.vars.example' },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  child.stdout!.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (output += d.toString()));
  const stop = () => stopGroupAndRemove(child, stateDir);
  const deadline = Date.now() + 90_000;
  while (!output.includes('rollgate: ready on')) {
    if (child.exitCode !== null || Date.now() > deadline) {
      await stop();
      throw new Error(`the dev server did not start:\n${output}`);
    }
    await sleep(200);
  }
  return { url: `http://127.0.0.1:${port}`, stop };
}

/**
 * Sends until the answer is not a 401: a freshly seeded server's keys reach the edge's snapshot
 * within a few seconds of its "ready" line (isolates re-read KV every SNAPSHOT_REFRESH_MS).
 */
async function untilKeyKnown(send: () => Promise<Response>): Promise<Response> {
  const deadline = Date.now() + 15_000;
  for (;;) {
    const res = await send();
    if (res.status !== 401 || Date.now() > deadline) return res;
    await sleep(250);
  }
}

async function json<T>(res: Response): Promise<T> {
  if (!res.ok) throw new Error(`${res.url}: ${res.status} ${await res.text()}`);
  return res.json<T>();
}

/** The running rollout of FLAG, once the CLI has started it. */
async function runningRollout(url: string): Promise<{ id: string; startedAt: number }> {
  const deadline = Date.now() + 20_000;
  for (;;) {
    const { rollouts } = await json<{ rollouts: { id: string; flag: string; status: string; startedAt: number }[] }>(
      await fetch(`${url}/admin/v1/environments/${ENV}/rollouts`, { headers: ADMIN }),
    );
    const found = rollouts.find((r) => r.flag === FLAG && r.status === 'running');
    if (found) return found;
    if (Date.now() > deadline) throw new Error(`no running rollout of ${FLAG} in ${ENV}`);
    await sleep(200);
  }
}

/** FLAG for one user through OFREP once the edge no longer applies the rollout; null if it still does after 15 s. */
async function servedWithoutRollout(url: string): Promise<{ variant: string; reason: string } | null> {
  const deadline = Date.now() + 15_000;
  while (Date.now() < deadline) {
    const r = await json<{ variant: string; reason: string; metadata?: Record<string, unknown> }>(
      await untilKeyKnown(() =>
        fetch(`${url}/ofrep/v1/evaluate/flags/${FLAG}`, {
          method: 'POST',
          headers: { authorization: `Bearer dev-client-${ENV}`, 'content-type': 'application/json' },
          body: JSON.stringify({ context: { targetingKey: 'rehearsal-user' } }),
        }),
      ),
    );
    if (r.metadata?.['rolloutId'] === undefined) return r;
    await sleep(250);
  }
  return null;
}

async function rehearse(url: string): Promise<boolean> {
  const began = Date.now();
  say(`Rollgate at ${url}; rolling out ${FLAG} → on in ${ENV}, watched by the CLI`);
  const cli = spawn(
    process.execPath,
    [
      'scripts/rollgate.mjs',
      'deploy',
      FLAG,
      '--variant',
      'on',
      '--env',
      ENV,
      '--stages',
      '10:0,100:600',
      '--bake',
      '120',
      '--health',
      'minSamples=10,sustainedMinutes=1',
      '--reason',
      'rehearsal',
      '--wait',
      '90',
      '--interval',
      '1',
    ],
    { env: { ...process.env, ROLLGATE_URL: url, ROLLGATE_TOKEN: 'dev-admin-token', ROLLGATE_ENV: '' }, stdio: ['ignore', 'inherit', 'inherit'] },
  );
  const exited = new Promise<number>((resolve) => cli.on('close', (code) => resolve(code ?? -1)));
  try {
    return await drive(url, exited, began);
  } finally {
    if (cli.exitCode === null) cli.kill('SIGTERM');
  }
}

/** Posts the breaching minute, fires the cron, and waits for the CLI's verdict. */
async function drive(url: string, exited: Promise<number>, began: number): Promise<boolean> {
  const rollout = await runningRollout(url);

  // Reports count from the rollout's start on: a minute of 100 requests of the treatment, 20 errors, in the minute after it.
  const at = rollout.startedAt + 60_000;
  const body = JSON.stringify({
    reports: [{ flag: FLAG, variant: 'on', timestamp: at, count: 100, errors: 20, latencyMs: Array.from({ length: 100 }, (_, i) => 20 + i) }],
  });
  await json(
    await untilKeyKnown(() =>
      fetch(`${url}/v1/metrics`, { method: 'POST', headers: { authorization: `Bearer dev-report-${ENV}`, 'content-type': 'application/json' }, body }),
    ),
  );
  say(`posted a minute of reports for "on": 100 requests, 20 errors, stamped ${new Date(at).toISOString()}`);
  // The cron once that minute is complete: the start + 2 minutes, the furthest ahead a tick may be.
  const cronAt = rollout.startedAt + 120_000;
  const cron = await fetch(`${url}/cdn-cgi/handler/scheduled?cron=*+*+*+*+*&time=${cronAt}`);
  if (!cron.ok) throw new Error(`the cron answered ${cron.status}: ${await cron.text()}`);
  say(`fired the cron at ${new Date(cronAt).toISOString()}`);

  const code = await exited;
  const { entries } = await json<{ entries: { action: string; reason: string | null }[] }>(
    await fetch(`${url}/admin/v1/environments/${ENV}/audit?limit=1&flag=${FLAG}`, { headers: ADMIN }),
  );
  say(`audit: ${entries[0]?.action ?? '(none)'} — ${entries[0]?.reason ?? ''}`);
  // The edge drops the rollout within about a second (the fast version check): its users are served as before it.
  const served = await servedWithoutRollout(url);
  const seconds = Math.round((Date.now() - began) / 1000);
  const rolledBack = code === 3 && entries[0]?.action === 'rollout.auto_rolled_back' && served !== null;
  say(
    rolledBack
      ? `rolled back automatically in ${seconds} s; OFREP serves rehearsal-user "${served.variant}" (${served.reason}, no rollout)`
      : `did not roll back (the CLI exited ${code}; last audit ${entries[0]?.action ?? 'none'})`,
  );
  return rolledBack;
}

const server = values.url ? { url: values.url, stop: async () => undefined } : await startServer();
let ok = false;
try {
  ok = await rehearse(server.url);
} catch (err) {
  say(`failed: ${(err as Error).message}`);
} finally {
  await server.stop();
}
process.exit(ok ? 0 : 1);
