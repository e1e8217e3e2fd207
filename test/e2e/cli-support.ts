/**
 * Shared by the cli*.e2e.test.ts files: a real local Worker (`wrangler dev` with its state in a
 * temporary directory, seeded as `npm start` seeds it) and the real `rollgate` CLI run as a
 * subprocess (node scripts/rollgate.mjs, as `npx rollgate` runs it) — with stdin a pipe (no TTY),
 * or inside a pseudo-terminal made by util-linux `script` so that it can prompt.
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { validateConfig } from '../../src/core/config/validate';
import type { RollgateConfig } from '../../src/core/schema/config';
import { seedLocal } from '../../scripts/lib/seed-local';
import { stopGroupAndRemove } from '../../scripts/lib/process-group';
import { fileSeedRecord } from '../../scripts/lib/seed-record';
import { freePort, waitForOk } from './support';

export const ADMIN = { authorization: 'Bearer dev-admin-token', 'content-type': 'application/json' };

export interface LocalWorker {
  baseUrl: string;
  /** A temporary directory, removed by stop(); the Worker's state lives in it. */
  dir: string;
  config: RollgateConfig;
  output(): string;
  /** Stops wrangler dev and removes `dir` once it has exited. */
  stop(): Promise<void>;
}

/**
 * Starts `wrangler dev` on a free port with its own state, and seeds every environment (config
 * version 1, dev client and report keys). `vars` override wrangler.toml's [vars] (wrangler dev --var).
 */
/**
 * Waits until every environment's committed snapshot is in KV. Seeding writes keys and a config
 * within a second, and the coordinator publishes at most once a second per environment, so the
 * last change reaches KV by alarm about a second later: tests start from that settled state.
 */
async function waitForPublished(baseUrl: string, deadline: number): Promise<void> {
  for (;;) {
    const res = await fetch(`${baseUrl}/admin/v1/environments`, { headers: ADMIN });
    const body = await res.json<{ environments?: { snapshotVersion: number; publishedVersion: number }[] }>();
    if (res.ok && body.environments?.every((e) => e.publishedVersion >= e.snapshotVersion)) return;
    if (Date.now() > deadline) throw new Error(`snapshots still unpublished after seeding: ${JSON.stringify(body)}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

export async function startWorker(name: string, vars: Record<string, string> = {}): Promise<LocalWorker> {
  const result = validateConfig(JSON.parse(readFileSync('config/flags.json', 'utf8')));
  if (!result.ok) throw new Error(`config/flags.json is invalid: ${JSON.stringify(result.errors)}`);
  const dir = mkdtempSync(join(tmpdir(), `rollgate-${name}-e2e-`));
  const port = await freePort();
  const baseUrl = `http://127.0.0.1:${port}`;
  let output = '';
  const worker: ChildProcess = spawn(
    'wrangler',
    // The example file, not .dev.vars: the test must not depend on what a developer (or another test) left there.
    [
      'dev',
      '--ip',
      '127.0.0.1',
      '--port',
      String(port),
      '--persist-to',
      join(dir, 'state'),
      '--env-file',
      '.dev.vars.example',
      '--test-scheduled',
      '--show-interactive-dev-session=false',
      ...Object.entries(vars).flatMap(([k, v]) => ['--var', `${k}:${v}`]),
    ],
    { env: { ...process.env, WRANGLER_SEND_METRICS: 'false', CLOUDFLARE_CF_FETCH_ENABLED: 'false' }, stdio: ['ignore', 'pipe', 'pipe'], detached: true },
  );
  worker.stdout!.on('data', (d: Buffer) => (output += d.toString()));
  worker.stderr!.on('data', (d: Buffer) => (output += d.toString()));
  const stop = () => stopGroupAndRemove(worker, dir);
  try {
    await waitForOk(
      `${baseUrl}/health/live`,
      () => worker,
      () => output,
      Date.now() + 60_000,
    );
    await seedLocal(baseUrl, result.config, { record: fileSeedRecord(join(dir, 'state')) });
    await waitForPublished(baseUrl, Date.now() + 15_000);
  } catch (err) {
    await stop();
    throw err;
  }
  return { baseUrl, dir, config: result.config, output: () => output, stop };
}

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** The variables every CLI run gets: the Worker's URL, no token or environment from the developer's shell, no colour. */
function cliEnv(baseUrl: string, env: Record<string, string>): NodeJS.ProcessEnv {
  return { ...process.env, ROLLGATE_URL: baseUrl, ROLLGATE_TOKEN: '', ROLLGATE_ENV: '', NO_COLOR: '1', ...env };
}

/** Runs the CLI as a user would; stdin is a pipe, so there is no TTY. */
export function rollgate(baseUrl: string, args: string[], env: Record<string, string> = {}): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['scripts/rollgate.mjs', ...args], { env: cliEnv(baseUrl, env), stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code: code ?? -1, stdout, stderr }));
    child.stdin.end();
  });
}

/** Fails with a clear message when util-linux `script` (used to give the CLI a terminal) is not installed. */
export function requireScript(): void {
  try {
    execFileSync('script', ['--version'], { stdio: 'pipe' });
  } catch {
    throw new Error('util-linux `script` is not on PATH; the prompt tests need it to give the CLI a terminal (Debian/Ubuntu: apt-get install util-linux)');
  }
}

function shellQuote(s: string): string {
  return /^[A-Za-z0-9_./:=@%+,-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`;
}

/** A CLI run inside a pseudo-terminal: stdin, stdout and stderr are the terminal (so output is merged and uses CRLF). */
export interface TtyRun {
  /** Everything the terminal showed so far, with CRLF turned into LF. */
  output(): string;
  /** Resolves once the output contains `text`; rejects (with the output) after `timeoutMs` or if the CLI exits first. */
  waitFor(text: string, timeoutMs?: number): Promise<void>;
  /** Types into the terminal. */
  type(text: string): void;
  /** The CLI's exit code (script -e passes it on) and the terminal's output. */
  done: Promise<{ code: number; output: string }>;
}

/** Runs the CLI in a pseudo-terminal made by `script -qfec "<cmd>" /dev/null`. */
export function rollgateTty(baseUrl: string, args: string[], env: Record<string, string> = {}): TtyRun {
  const cmd = [process.execPath, 'scripts/rollgate.mjs', ...args].map(shellQuote).join(' ');
  const child = spawn('script', ['-qfec', cmd, '/dev/null'], { env: { ...cliEnv(baseUrl, env), SHELL: '/bin/sh' }, stdio: ['pipe', 'pipe', 'pipe'] });
  let out = '';
  let exited = false;
  const listeners = new Set<() => void>();
  const onData = (d: Buffer) => {
    out += d.toString().replace(/\r\n/g, '\n');
    for (const l of listeners) l();
  };
  child.stdout.on('data', onData);
  child.stderr.on('data', onData);
  const done = new Promise<{ code: number; output: string }>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code) => {
      exited = true;
      for (const l of listeners) l();
      resolve({ code: code ?? -1, output: out });
    });
  });
  return {
    output: () => out,
    waitFor(text, timeoutMs = 15_000) {
      return new Promise((resolve, reject) => {
        const check = () => {
          if (out.includes(text)) finish();
          else if (exited) finish(new Error(`the CLI exited before printing ${JSON.stringify(text)}:\n${out}`));
        };
        const timer = setTimeout(() => finish(new Error(`no ${JSON.stringify(text)} within ${timeoutMs} ms:\n${out}`)), timeoutMs);
        const finish = (err?: Error) => {
          clearTimeout(timer);
          listeners.delete(check);
          if (err) reject(err);
          else resolve();
        };
        listeners.add(check);
        check();
      });
    },
    type(text) {
      child.stdin.write(text);
    },
    done,
  };
}

/** GET /admin/v1/environments/{env}/flags: the stored config and its version. */
export async function liveConfig(baseUrl: string, environment: string): Promise<{ version: number; document: RollgateConfig }> {
  const res = await fetch(`${baseUrl}/admin/v1/environments/${environment}/flags`, { headers: ADMIN });
  if (!res.ok) throw new Error(`GET flags of ${environment}: ${res.status} ${await res.text()}`);
  return await res.json<{ version: number; document: RollgateConfig }>();
}

/**
 * Waits until the client API of `environment` serves `flag` (the Worker reads its snapshot from KV
 * and caches it for SNAPSHOT_REFRESH_MS, so a flag seeded a moment ago may not be served yet).
 * /v1/metrics rejects reports of flags its snapshot does not know.
 */
export async function waitForFlag(baseUrl: string, environment: string, flag: string, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last = '';
  while (Date.now() < deadline) {
    const res = await fetch(`${baseUrl}/ofrep/v1/evaluate/flags/${flag}`, {
      method: 'POST',
      headers: { authorization: `Bearer dev-client-${environment}`, 'content-type': 'application/json' },
      body: JSON.stringify({ context: { targetingKey: 'e2e' } }),
    });
    last = `${res.status} ${await res.text()}`;
    if (res.status === 200) return;
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`${environment} did not serve ${flag} within ${timeoutMs} ms (last answer: ${last})`);
}

/** A deep copy of the example config with `edit` applied. */
export function editedConfig(base: RollgateConfig, edit: (doc: { flags: Record<string, Record<string, unknown>> }) => void): RollgateConfig {
  const doc = structuredClone(base) as unknown as { flags: Record<string, Record<string, unknown>> };
  edit(doc);
  return doc as unknown as RollgateConfig;
}

/** Writes a config file (a document, or raw text) into the Worker's temporary directory; returns its path. */
export function configFile(w: LocalWorker, name: string, doc: RollgateConfig | string): string {
  const file = join(w.dir, name);
  writeFileSync(file, typeof doc === 'string' ? doc : JSON.stringify(doc, null, 2));
  return file;
}
