/**
 * End to end, the protected production environment, with the real `rollgate` CLI against a real
 * local Worker (one Worker for the whole file; its tests run in order):
 *
 * - `deploy --wait` ended by an automatic rollback (exit 3). The health data comes the way it does
 *   in production: the app posts metric reports to /v1/metrics with its report key, and the cron
 *   (fired through wrangler's scheduled handler) gathers health and rolls back. Then `status` and
 *   `audit` show the rollback, in human form and as JSON.
 * - `push` as an operator runs it at a terminal: the CLI gets a pseudo-terminal (util-linux
 *   `script`), asks "Are you sure…", and the test types the answer. The 412 race uses that same
 *   pause: between the diff and the operator's "yes", someone else writes production through the
 *   admin API, so the CLI's PUT (If-Match of the version it diffed) must fail and overwrite nothing.
 * - the confirmation rule: deploy, promote, resume, keys issue and revoke are 428 without
 *   X-Rollgate-Confirm at the API and confirmed by the CLI; pause and rollback need nothing.
 * - invalid input: every error with its JSON path, from validate, push and a 422 of the Worker.
 */
import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RollgateConfig } from '../../src/core/schema/config';
import {
  ADMIN,
  type CliResult,
  editedConfig,
  liveConfig,
  type LocalWorker,
  requireScript,
  rollgate,
  rollgateTty,
  startWorker,
  waitForFlag,
} from './cli-support';

const QUESTION = "Are you sure you want to deploy to PRODUCTION? (type 'yes' to confirm)";

let w: LocalWorker;

beforeAll(async () => {
  requireScript();
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

/** Writes a config file into the test's temporary directory. */
function configFile(name: string, doc: RollgateConfig | string): string {
  const file = join(w.dir, name);
  writeFileSync(file, typeof doc === 'string' ? doc : JSON.stringify(doc, null, 2));
  return file;
}

type Flags = Record<string, { defaultVariant?: string }>;
const flagsOf = (doc: RollgateConfig) => doc.flags as unknown as Flags;

describe('push to production: the confirmation prompt', () => {
  it('without a TTY (and without --yes) it refuses, after showing the diff, and nothing changes', async () => {
    const file = configFile(
      'dark-on.json',
      editedConfig(w.config, (d) => (d.flags['dark-mode']!['defaultVariant'] = 'on')),
    );
    const r = await rollgate(w.baseUrl, ['push', file, '--env', 'production']);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain(`${file} → production (version 1): 0 added, 1 changed, 0 removed`);
    expect(r.stdout).toContain('~ flag dark-mode (changed)');
    expect(r.stderr).toContain(
      '"production" is protected and there is no terminal to confirm on, so nothing was changed — pass --yes to push without asking (e.g. in CI)',
    );
    expect(r.stderr).not.toContain('Are you sure');
    expect((await liveConfig(w.baseUrl, 'production')).version).toBe(1);
  });

  it("typed 'no': exit 1, nothing changes", async () => {
    const file = configFile(
      'dark-on.json',
      editedConfig(w.config, (d) => (d.flags['dark-mode']!['defaultVariant'] = 'on')),
    );
    const run = rollgateTty(w.baseUrl, ['push', file, '--env', 'production', '--reason', 'e2e no']);
    await run.waitFor(QUESTION);
    expect(run.output()).toContain('~ flag dark-mode (changed)');
    run.type('no\r');
    const { code, output } = await run.done;
    expect(output).toContain("aborted: you did not type 'yes', so nothing was changed in production");
    expect(output).not.toContain('pushed');
    expect(code).toBe(1);
    const live = await liveConfig(w.baseUrl, 'production');
    expect(live.version).toBe(1);
    expect(flagsOf(live.document)['dark-mode']!.defaultVariant).toBe('off');
  });

  it("typed 'yes': the push proceeds and production is at the next version", async () => {
    const file = configFile(
      'dark-on.json',
      editedConfig(w.config, (d) => (d.flags['dark-mode']!['defaultVariant'] = 'on')),
    );
    const run = rollgateTty(w.baseUrl, ['push', file, '--env', 'production', '--reason', 'e2e yes']);
    await run.waitFor(QUESTION);
    run.type('yes\r');
    const { code, output } = await run.done;
    expect(output).toContain(`✔ pushed ${file} to production: now version 2`);
    expect(code).toBe(0);
    const live = await liveConfig(w.baseUrl, 'production');
    expect(live.version).toBe(2);
    expect(flagsOf(live.document)['dark-mode']!.defaultVariant).toBe('on');

    const audit = await rollgate(w.baseUrl, ['audit', '--env', 'production', '--limit', '1', '--json']);
    expect(JSON.parse(audit.stdout)).toMatchObject({ entries: [{ action: 'config.put', actor: 'dev', reason: 'e2e yes' }] });
  });

  it('a concurrent write between the diff and the confirmation: 412, exit 1, nothing overwritten', async () => {
    // The operator's change, diffed against version 2.
    const mine = editedConfig(w.config, (d) => {
      d.flags['dark-mode']!['defaultVariant'] = 'on';
      d.flags['banner-text']!['defaultVariant'] = 'black-friday';
    });
    const file = configFile('black-friday.json', mine);
    const run = rollgateTty(w.baseUrl, ['push', file, '--env', 'production', '--reason', 'e2e race']);
    await run.waitFor(QUESTION);
    expect(run.output()).toContain(`${file} → production (version 2): 0 added, 1 changed, 0 removed`);
    expect(run.output()).toContain('~ flag banner-text (changed)');

    // Meanwhile a colleague (or a pipeline) writes production.
    const theirs = editedConfig(w.config, (d) => {
      d.flags['dark-mode']!['defaultVariant'] = 'on';
      d.flags['max-cart-items']!['defaultVariant'] = 'business';
    });
    const put = await fetch(`${w.baseUrl}/admin/v1/environments/production/flags`, {
      method: 'PUT',
      headers: { ...ADMIN, 'if-match': '"2"', 'x-rollgate-confirm': 'production', 'x-rollgate-reason': 'concurrent change' },
      body: JSON.stringify(theirs),
    });
    expect(put.status, await put.clone().text()).toBe(200);
    expect(await put.json()).toMatchObject({ version: 3, changed: true });

    run.type('yes\r');
    const { code, output } = await run.done;
    expect(output).toContain(
      `the config changed since you diffed (version 2; it is now version 3); nothing was overwritten — run diff again: rollgate diff ${file} --env production`,
    );
    expect(output).not.toContain('pushed');
    expect(code).toBe(1);

    const live = await liveConfig(w.baseUrl, 'production');
    expect(live.version).toBe(3);
    expect(flagsOf(live.document)['max-cart-items']!.defaultVariant).toBe('business');
    expect(flagsOf(live.document)['banner-text']!.defaultVariant).toBe(flagsOf(w.config)['banner-text']!.defaultVariant);
  });
});

describe('protected production: rollout and key writes need X-Rollgate-Confirm', () => {
  const PROD = '/admin/v1/environments/production';
  /** A raw admin request without the confirmation header, as a script would send it. */
  const unconfirmed = (method: string, path: string, body?: unknown) =>
    fetch(`${w.baseUrl}${PROD}${path}`, { method, headers: ADMIN, ...(body === undefined ? {} : { body: JSON.stringify(body) }) });
  const expect428 = async (res: Response) => {
    expect(res.status).toBe(428);
    expect((await res.json<{ error: string }>()).error).toContain('X-Rollgate-Confirm: production');
  };
  const rolloutsOf = async (flag: string) =>
    (
      await (
        await fetch(`${w.baseUrl}${PROD}/rollouts`, { headers: ADMIN })
      ).json<{ rollouts: { id: string; flag: string; status: string; percent: number }[] }>()
    ).rollouts.filter((r) => r.flag === flag);
  const FLAG = 'express-pay-buttons';
  let id = '';

  it('deploy: 428 without confirmation (API), refused without --yes (CLI), started with --yes', async () => {
    await expect428(await unconfirmed('POST', '/rollouts', { flag: FLAG, variant: 'on', strategy: 'safe' }));
    const refused = await rollgate(w.baseUrl, ['deploy', FLAG, '--variant', 'on', '--strategy', 'safe', '--env', 'production']);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('"production" is protected and there is no terminal to confirm on');
    expect(await rolloutsOf(FLAG)).toEqual([]);
    const started = await rollgate(w.baseUrl, ['deploy', FLAG, '--variant', 'on', '--strategy', 'safe', '--env', 'production', '--yes', '--json']);
    expect(started.code, started.stderr).toBe(0);
    id = (JSON.parse(started.stdout) as { rollout: { id: string } }).rollout.id;
    expect(await rolloutsOf(FLAG)).toEqual([expect.objectContaining({ id, status: 'running', percent: 5 })]);
  });

  it('promote: 428 without confirmation, promoted with --yes', async () => {
    await expect428(await unconfirmed('POST', `/rollouts/${id}/promote`, { reason: 'raw', fromStage: 0 }));
    expect(await rolloutsOf(FLAG)).toEqual([expect.objectContaining({ percent: 5 })]);
    const r = await rollgate(w.baseUrl, ['promote', FLAG, '--env', 'production', '--reason', 'e2e', '--yes']);
    expect(r.code, r.stderr).toBe(0);
    expect(await rolloutsOf(FLAG)).toEqual([expect.objectContaining({ percent: 10 })]);
  });

  it('pause needs no confirmation; resume: 428 without, resumed with --yes', async () => {
    const paused = await rollgate(w.baseUrl, ['pause', FLAG, '--env', 'production', '--reason', 'e2e']);
    expect(paused.code, paused.stderr).toBe(0);
    await expect428(await unconfirmed('POST', `/rollouts/${id}/resume`, { reason: 'raw' }));
    expect(await rolloutsOf(FLAG)).toEqual([expect.objectContaining({ status: 'paused' })]);
    const resumed = await rollgate(w.baseUrl, ['resume', FLAG, '--env', 'production', '--reason', 'e2e', '--yes']);
    expect(resumed.code, resumed.stderr).toBe(0);
    expect(await rolloutsOf(FLAG)).toEqual([expect.objectContaining({ status: 'running' })]);
  });

  it('rollback needs no confirmation', async () => {
    const r = await rollgate(w.baseUrl, ['rollback', FLAG, '--env', 'production', '--reason', 'e2e']);
    expect(r.code, r.stderr).toBe(0);
    expect(await rolloutsOf(FLAG)).toEqual([expect.objectContaining({ status: 'rolled_back', percent: 0 })]);
  });

  it('keys issue and revoke: 428 without confirmation, done with --yes', async () => {
    await expect428(await unconfirmed('POST', '/keys', { name: 'e2e-web' }));
    const issued = await rollgate(w.baseUrl, ['keys', 'issue', '--env', 'production', '--name', 'e2e-web', '--yes', '--json']);
    expect(issued.code, issued.stderr).toBe(0);
    await expect428(await unconfirmed('DELETE', '/keys/e2e-web'));
    const audit = async () => (await (await fetch(`${w.baseUrl}${PROD}/audit?action=key.revoke`, { headers: ADMIN })).json<{ entries: unknown[] }>()).entries;
    expect(await audit()).toEqual([]);
    const revoked = await rollgate(w.baseUrl, ['keys', 'revoke', '--env', 'production', '--name', 'e2e-web', '--yes']);
    expect(revoked.code, revoked.stderr).toBe(0);
    expect(await audit()).toHaveLength(1);
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
    const file = configFile('invalid.json', invalid());
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
    const file = configFile('invalid.json', invalid());
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
