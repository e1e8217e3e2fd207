/**
 * End to end, the real `rollgate` CLI against a real local Worker (one Worker for the whole file;
 * its tests run in order):
 *
 * - `deploy --wait` in protected production, ended by an automatic rollback (exit 3). The health
 *   data comes the way it does in production: the app posts metric reports to /v1/metrics with its
 *   report key, and the cron (fired through wrangler's scheduled handler) gathers health and rolls
 *   back. Then `status` and `audit` show the rollback, in human form and as JSON.
 * - invalid input: every error with its JSON path, from validate, push and a 422 of the Worker.
 *
 * Production's confirmation prompt and the X-Rollgate-Confirm rule: cli-confirmation.e2e.test.ts.
 */
import { spawn } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN, type CliResult, configFile, editedConfig, liveConfig, type LocalWorker, rollgate, startWorker, waitForFlag } from './cli-support';

let w: LocalWorker;

beforeAll(async () => {
  // Isolates re-read the snapshot from KV every SNAPSHOT_REFRESH_MS (5 s in wrangler.toml); /v1/metrics
  // only accepts flags its snapshot knows, so a short refresh spares the test waiting for the seed to show.
  w = await startWorker('cli-production', { SNAPSHOT_REFRESH_MS: '200' });
  await waitForFlag(w.baseUrl, 'production', 'new-checkout');
});

afterAll(() => w?.stop());

interface Rollout {
  id: string;
  flag: string;
  status: string;
  startedAt: number;
}

async function activeRollout(flag: string, deadline: number): Promise<Rollout> {
  while (Date.now() < deadline) {
    const res = await fetch(`${w.baseUrl}/admin/v1/environments/production/rollouts`, { headers: ADMIN });
    expect(res.status).toBe(200);
    const found = (await res.json<{ rollouts: Rollout[] }>()).rollouts.find((r) => r.flag === flag && r.status === 'running');
    if (found) return found;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`no running rollout of ${flag} in production in time:\n${w.output()}`);
}

describe('deploy --wait in production ends in an automatic rollback', () => {
  let rolloutId = '';
  let startedAt = 0;

  it('exits 3 and prints the rollback with its trigger, driven by posted metrics and the cron', async () => {
    // Started as a child so the test can post metrics and fire the cron while the CLI watches.
    const child = spawn(
      process.execPath,
      [
        'scripts/rollgate.mjs',
        'deploy',
        'new-checkout',
        '--variant',
        'on',
        '--env',
        'production',
        '--yes',
        '--stages',
        '10:0,100:600',
        '--bake',
        '120',
        '--health',
        'minSamples=10,sustainedMinutes=1',
        '--reason',
        'e2e auto rollback',
        // Within the test's 30 s timeout, so a watch that never sees the rollback fails as exit 1, not as a timeout.
        '--wait',
        '20',
        '--interval',
        '1',
      ],
      { env: { ...process.env, ROLLGATE_URL: w.baseUrl, ROLLGATE_TOKEN: '', ROLLGATE_ENV: '', NO_COLOR: '1' }, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const result = new Promise<CliResult>((resolve, reject) => {
      child.on('error', reject);
      child.on('close', (code) => resolve({ code: code ?? -1, stdout, stderr }));
    });

    const rollout = await activeRollout('new-checkout', Date.now() + 15_000);
    rolloutId = rollout.id;
    startedAt = rollout.startedAt;

    // In the minute after the start's (reports from before it are ignored; the server accepts up to 2 min ahead):
    // 100 requests of treatment "on", 20 of them errors — above the default maximum error rate.
    const metrics = await fetch(`${w.baseUrl}/v1/metrics`, {
      method: 'POST',
      headers: { authorization: 'Bearer dev-report-production', 'content-type': 'application/json' },
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
    expect(await metrics.json()).toEqual({ accepted: 1 });

    // The cron once that minute is complete: two minutes after the start, which the coordinator
    // accepts (a scheduledTime at most 2 min ahead of its clock, and the clock is past startedAt).
    const cron = await fetch(`${w.baseUrl}/cdn-cgi/handler/scheduled?cron=*+*+*+*+*&time=${startedAt + 120_000}`);
    expect(cron.status, await cron.clone().text()).toBe(200);

    const r = await result;
    expect(r.stderr).toBe('');
    expect(r.stdout).toContain('Rolling out new-checkout → on in production (custom stages): 10% now, 100% at +10m; then bake 2m');
    expect(r.stdout).toContain(`started rollout ${rolloutId}; watching for 20s`);
    expect(r.stdout).toMatch(/new-checkout running 10% stage 1\/2 verdict/);
    expect(r.stdout).toMatch(/new-checkout rolled_back 0% stage 1\/2 .*error_rate/);
    expect(r.stdout).toMatch(/✘ rollout rolled back — .*error_rate/);
    expect(r.code).toBe(3);
  });

  it('status shows the rolled-back rollout with its verdict and history', async () => {
    const r = await rollgate(w.baseUrl, ['status', '--env', 'production', 'new-checkout']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const lines = r.stdout.split('\n');
    expect(lines[0]).toBe(`Rollgate at ${w.baseUrl}`);
    expect(lines).toContain('production (protected)');
    expect(r.stdout).toMatch(/^ {2}config {5}version 1 · written \S+ by dev$/m);
    expect(r.stdout).toMatch(/^ {2}new-checkout → on \(baseline off\) {2}rolled_back {2}stage 1 of 2 · 0%$/m);
    expect(r.stdout).toContain(`    id        ${rolloutId} · safe · started `);
    expect(r.stdout).toMatch(/^ {4}next {6}rolled back at \S+; everyone gets the baseline$/m);
    expect(r.stdout).toMatch(/^ {4}verdict {3}breached \(error_rate\)$/m);
    expect(r.stdout).toMatch(/^ {6}treatment \(on\) {2}err 20% · p95 \d+ ms · p99 \d+ ms · 100 samples$/m);
    expect(r.stdout).toContain('    decision  rolled back: error_rate 20% > 1%');
    expect(r.stdout).toMatch(/^ {4}history {3}\S+ rolled_back running 10% → rolled_back 0% by rollgate$/m);
    expect(r.stdout).not.toContain('staging');

    const json = await rollgate(w.baseUrl, ['status', '--env', 'production', 'new-checkout', '--json']);
    expect(json.code).toBe(0);
    const out = JSON.parse(json.stdout) as {
      flag: string;
      environments: { environment: string; activeRollouts: unknown[]; rollout: { id: string; status: string; percent: number } | null }[];
    };
    expect(out.flag).toBe('new-checkout');
    expect(out.environments).toHaveLength(1);
    expect(out.environments[0]).toMatchObject({ environment: 'production', activeRollouts: [], rollout: { id: rolloutId, status: 'rolled_back', percent: 0 } });
  });

  it('audit shows the automatic rollback with its trigger and numbers, newest first', async () => {
    const r = await rollgate(w.baseUrl, ['audit', '--env', 'production', '--flag', 'new-checkout']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const lines = r.stdout.trimEnd().split('\n');
    expect(lines).toHaveLength(3);
    expect(lines[0]).toMatch(
      new RegExp(
        `^\\S+Z {2}#\\d+ {2}rollgate {2}rollout\\.auto_rolled_back {2}${rolloutId} {2}running 10% → rolled_back 0% · trigger error_rate \\(err 20% · p95 \\d+ ms · p99 \\d+ ms · 100 samples\\) {2}"rolled back: error_rate 20% > 1%"$`,
      ),
    );
    expect(lines[1]).toMatch(new RegExp(`^\\S+Z {2}#\\d+ {2}dev +rollout\\.start +${rolloutId} {2}→ on at 10% \\(safe\\) {2}"e2e auto rollback"$`));
    expect(lines[2]).toMatch(/ {2}dev +config\.put +config v1 +v– → v1: \+new-checkout .* "npm start seed"$/);

    const json = await rollgate(w.baseUrl, ['audit', '--env', 'production', '--flag', 'new-checkout', '--limit', '2', '--json']);
    expect(json.stderr).toBe('');
    expect(json.code).toBe(0);
    const out = JSON.parse(json.stdout) as {
      environment: string;
      entries: {
        action: string;
        actor: string;
        target: string;
        reason: string | null;
        diff: { events?: { type: string; trigger?: string; numbers?: { samples: number; errorRate: number } }[] };
      }[];
      nextCursor: string | null;
    };
    expect(out.environment).toBe('production');
    expect(out.entries.map((e) => e.action)).toEqual(['rollout.auto_rolled_back', 'rollout.start']);
    expect(out.entries[0]).toMatchObject({ actor: 'rollgate', target: rolloutId, reason: 'rolled back: error_rate 20% > 1%' });
    expect(out.entries[0]!.diff.events).toMatchObject([{ type: 'rolled_back', trigger: 'error_rate', numbers: { samples: 100, errorRate: 0.2 } }]);
    expect(out.nextCursor).toMatch(/^\d+$/);
  });
});

describe('invalid input: every error with its JSON path', () => {
  const invalid = () =>
    editedConfig(w.config, (d) => {
      d.flags['dark-mode']!['defaultVariant'] = 'purple';
      d.flags['banner-text']!['defaultVariant'] = 'nope';
    });
  const errorLines = (file: string) => [
    `error   ${file}#/flags/banner-text/defaultVariant: default variant "nope" is not one of: none, free-shipping, free-shipping-de, black-friday, internal-preview`,
    `error   ${file}#/flags/dark-mode/defaultVariant: default variant "purple" is not one of: on, off`,
  ];

  it('validate lists each error with its path and exits 1, in human form and as JSON', async () => {
    const file = configFile(w, 'invalid.json', invalid());
    const r = await rollgate(w.baseUrl, ['validate', file]);
    expect(r.code).toBe(1);
    const lines = r.stdout.trimEnd().split('\n');
    expect(lines.slice(0, 2)).toEqual(errorLines(file));
    expect(lines.at(-1)).toBe(`✘ ${file}: 2 errors`);

    const json = await rollgate(w.baseUrl, ['validate', file, '--json']);
    expect(json.code).toBe(1);
    const out = JSON.parse(json.stdout) as { valid: boolean; errors: { path: string }[] };
    expect(out.valid).toBe(false);
    expect(out.errors.map((e) => e.path).sort()).toEqual(['/flags/banner-text/defaultVariant', '/flags/dark-mode/defaultVariant']);
  });

  it('push refuses it before sending anything, listing the paths; staging stays as it was', async () => {
    const file = configFile(w, 'invalid.json', invalid());
    const before = await liveConfig(w.baseUrl, 'staging');
    const r = await rollgate(w.baseUrl, ['push', file, '--env', 'staging', '--yes']);
    expect(r.code).toBe(1);
    expect(r.stdout).toBe('');
    const lines = r.stderr.trimEnd().split('\n');
    expect(lines[0]).toBe(`error: ${file} is invalid (2 errors); nothing was sent`);
    expect(lines.slice(1, 3)).toEqual(errorLines(file).map((l) => `  ${l}`));
    expect((await liveConfig(w.baseUrl, 'staging')).version).toBe(before.version);
  });

  it('a 422 from the Worker: its message, then each error with its path', async () => {
    const r = await rollgate(w.baseUrl, ['deploy', 'new-checkout', '--variant', 'purple', '--strategy', 'instant', '--env', 'staging']);
    expect(r.code).toBe(1);
    expect(r.stderr).toBe('error: 422 variant "purple" does not exist in flag "new-checkout":\n  error   /variant: known: on, off\n');
    const list = await fetch(`${w.baseUrl}/admin/v1/environments/staging/rollouts`, { headers: ADMIN });
    expect(await list.json()).toEqual({ rollouts: [] });
  });
});
