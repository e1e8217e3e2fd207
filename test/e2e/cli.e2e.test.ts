/**
 * End to end: the real `rollgate` CLI (node scripts/rollgate.mjs, as `npx rollgate` runs it)
 * against a real local Worker, seeded as `npm start` seeds it. The Worker keeps its state in a
 * temporary directory, so this file neither shares `.wrangler/state` with the other end-to-end
 * test running beside it nor sees leftovers from a developer's `npm start`.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { validateConfig } from '../../src/core/config/validate';
import { seedLocal } from '../../scripts/lib/seed-local';
import { freePort, waitForOk } from './support';

let worker: ChildProcess | undefined;
let baseUrl = '';
let output = '';
const state = mkdtempSync(join(tmpdir(), 'rollgate-cli-e2e-'));



/** Runs the CLI as a user would; stdin is a pipe, so there is no TTY. */
function rollgate(args: string[], env: Record<string, string> = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['scripts/rollgate.mjs', ...args], {
      env: { ...process.env, ROLLGATE_URL: baseUrl, ROLLGATE_TOKEN: '', ROLLGATE_ENV: '', NO_COLOR: '1', ...env },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code: code ?? -1, stdout, stderr }));
    child.stdin.end();
  });
}

beforeAll(async () => {
  const result = validateConfig(JSON.parse(readFileSync('config/flags.json', 'utf8')));
  if (!result.ok) throw new Error(`config/flags.json is invalid: ${JSON.stringify(result.errors)}`);
  const port = await freePort();
  baseUrl = `http://127.0.0.1:${port}`;
  worker = spawn(
    'wrangler',
    // The example file, not .dev.vars: the test must not depend on what a developer (or another test) left there.
    ['dev', '--ip', '127.0.0.1', '--port', String(port), '--persist-to', state, '--env-file', '.dev.vars.example', '--test-scheduled', '--show-interactive-dev-session=false'],
    { env: { ...process.env, WRANGLER_SEND_METRICS: 'false', CLOUDFLARE_CF_FETCH_ENABLED: 'false' }, stdio: ['ignore', 'pipe', 'pipe'], detached: true },
  );
  worker.stdout!.on('data', (d: Buffer) => (output += d.toString()));
  worker.stderr!.on('data', (d: Buffer) => (output += d.toString()));
  await waitForOk(`${baseUrl}/health/live`, () => worker, () => output, Date.now() + 60_000);
  await seedLocal(baseUrl, result.config);
}, 90_000);

afterAll(() => {
  if (worker?.pid) {
    try {
      process.kill(-worker.pid, 'SIGTERM');
    } catch {
      // already gone
    }
  }
  rmSync(state, { recursive: true, force: true });
});

describe('rollgate CLI against a local Worker', () => {
  it('validate: the example config is valid', async () => {
    const r = await rollgate(['validate']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/config\/flags\.json: valid — \d+ flags; environments development, staging, production \(protected\)/);
  });

  it('status --json: every environment at its seeded version', async () => {
    const r = await rollgate(['status', '--json']);
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout) as { url: string; environments: { environment: string; protected: boolean; configVersion: number; publishPending: boolean; activeRollouts: unknown[] }[] };
    expect(out.url).toBe(baseUrl);
    expect(out.environments.map((e) => e.environment)).toEqual(['development', 'staging', 'production']);
    expect(out.environments.map((e) => e.protected)).toEqual([false, false, true]);
    for (const e of out.environments) {
      expect(e.configVersion).toBe(1);
      expect(e.activeRollouts).toEqual([]);
    }
  });

  it('push: the unchanged file writes nothing; a change to production without a TTY is refused', async () => {
    const same = await rollgate(['push', '--env', 'staging']);
    expect(same.code).toBe(0);
    expect(same.stdout).toContain('nothing to push: staging is at version 1 and matches config/flags.json');

    const doc = JSON.parse(readFileSync('config/flags.json', 'utf8')) as { flags: Record<string, { defaultVariant?: string }> };
    doc.flags['dark-mode']!.defaultVariant = 'on';
    const changed = join(state, 'changed.json');
    writeFileSync(changed, JSON.stringify(doc));
    const refused = await rollgate(['push', changed, '--env', 'production']);
    expect(refused.code).toBe(1);
    expect(refused.stdout).toContain('~ flag dark-mode (changed)');
    expect(refused.stderr).toContain('"production" is protected and there is no terminal to confirm on, so nothing was changed — pass --yes');
    const after = JSON.parse((await rollgate(['status', '--env', 'production', '--json'])).stdout) as { environments: { configVersion: number }[] };
    expect(after.environments[0]!.configVersion).toBe(1);
  });

  it('deploy with short custom stages, watched briefly: no health data yet → exit 4', async () => {
    const r = await rollgate(['deploy', 'new-checkout', '--variant', 'on', '--stages', '5:0,50:10m,100:20m', '--bake', '60', '--env', 'staging', '--reason', 'e2e', '--wait', '1', '--interval', '0.5']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(4);
    expect(r.stdout).toContain('Rolling out new-checkout → on in staging (custom stages): 5% now, 50% at +10m, 100% at +20m; then bake 1m');
    expect(r.stdout).toMatch(/started rollout ro_\S+; watching for 1s/);
    expect(r.stdout).toMatch(/new-checkout running 5% stage 1\/3 verdict/);
    expect(r.stdout).toContain('wait over: still running at 5%');
  });

  it('status shows the rollout: stage, percent, next promotion, decision', async () => {
    const r = await rollgate(['status', '--env', 'staging', 'new-checkout']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/new-checkout → on \(baseline (off|default variant)\) {2}running {2}stage 1 of 3 · 5%/);
    expect(r.stdout).toMatch(/next {6}50% at \S+ \(in \d+m \d+s\), if healthy/);
    expect(r.stdout).toContain('decision  started at 5%');
    const json = JSON.parse((await rollgate(['status', '--env', 'staging', '--json'])).stdout) as { environments: { activeRollouts: { flag: string; percent: number; stageIndex: number }[] }[] };
    expect(json.environments[0]!.activeRollouts).toMatchObject([{ flag: 'new-checkout', percent: 5, stageIndex: 0 }]);
  });

  it('rollback --reason, then audit --json shows it first', async () => {
    const r = await rollgate(['rollback', 'new-checkout', '--env', 'staging', '--reason', 'e2e rollback']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/rolled back new-checkout in staging \(ro_\S+\): 5% → 0%/);

    const audit = await rollgate(['audit', '--env', 'staging', '--flag', 'new-checkout', '--json']);
    expect(audit.code).toBe(0);
    const out = JSON.parse(audit.stdout) as { environment: string; entries: { action: string; actor: string; reason: string | null }[]; nextCursor: string | null };
    expect(out.environment).toBe('staging');
    expect(out.entries[0]).toMatchObject({ action: 'rollout.rollback', actor: 'dev', reason: 'e2e rollback' });
    expect(out.entries[1]).toMatchObject({ action: 'rollout.start', reason: 'e2e' });
  });

  it('an unreachable Rollgate: a clear error', async () => {
    const port = await freePort();
    const r = await rollgate(['status'], { ROLLGATE_URL: `http://127.0.0.1:${port}` });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`no Rollgate at http://127.0.0.1:${port} — is \`npm start\` running?`);
  });
});
