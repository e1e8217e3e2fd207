/**
 * End to end: the real `rollgate` CLI (node scripts/rollgate.mjs, as `npx rollgate` runs it)
 * against a real local Worker, seeded as `npm start` seeds it. The Worker keeps its state in a
 * temporary directory, so this file neither shares `.wrangler/state` with the other end-to-end
 * tests running beside it nor sees leftovers from a developer's `npm start`. The production prompt
 * and the 412 race are in cli-confirmation.e2e.test.ts, the automatic rollback in
 * cli-production.e2e.test.ts.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type LocalWorker, rollgate as run, startWorker } from './cli-support';
import { freePort } from './support';

let w: LocalWorker;
let baseUrl = '';
const rollgate = (args: string[], env: Record<string, string> = {}) => run(baseUrl, args, env);

beforeAll(async () => {
  w = await startWorker('cli');
  baseUrl = w.baseUrl;
});

afterAll(() => w?.stop());

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
    const out = JSON.parse(r.stdout) as {
      url: string;
      environments: { environment: string; protected: boolean; configVersion: number; publishPending: boolean; activeRollouts: unknown[] }[];
    };
    expect(out.url).toBe(baseUrl);
    expect(out.environments.map((e) => e.environment)).toEqual(['development', 'staging', 'production']);
    expect(out.environments.map((e) => e.protected)).toEqual([false, false, true]);
    for (const e of out.environments) {
      expect(e.configVersion).toBe(1);
      expect(e.activeRollouts).toEqual([]);
    }
  });

  it('status in human form: every environment, its config and snapshot, no rollouts', async () => {
    const r = await rollgate(['status']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const blocks = r.stdout.trimEnd().split('\n\n');
    expect(blocks[0]).toBe(`Rollgate at ${baseUrl}`);
    expect(blocks.slice(1).map((b) => b.split('\n')[0])).toEqual(['development', 'staging', 'production (protected)']);
    for (const b of blocks.slice(1)) {
      const lines = b.split('\n');
      expect(lines[1]).toMatch(/^ {2}config {5}version 1 · written \d{4}-\d\d-\d\dT\S+Z by dev$/);
      expect(lines[2]).toMatch(/^ {2}snapshot {3}version (\d+) · published \1$/);
      expect(lines[3]).toBe('  rollouts   none active');
    }
  });

  it('push: the unchanged file writes nothing', async () => {
    const same = await rollgate(['push', '--env', 'staging']);
    expect(same.code).toBe(0);
    expect(same.stdout).toContain('nothing to push: staging is at version 1 and matches config/flags.json');
  });

  it('push to staging (not protected) asks nothing, even without a TTY; audit shows it in human form', async () => {
    const doc = JSON.parse(readFileSync('config/flags.json', 'utf8')) as { flags: Record<string, { defaultVariant?: string }> };
    doc.flags['max-cart-items']!.defaultVariant = 'business';
    const file = join(w.dir, 'business.json');
    writeFileSync(file, JSON.stringify(doc));
    const r = await rollgate(['push', file, '--env', 'staging', '--reason', 'e2e staging push']);
    expect(r.stderr).not.toContain('Are you sure');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('~ flag max-cart-items (changed)');
    expect(r.stdout).toContain('    /defaultVariant: "consumer" → "business"');
    expect(r.stdout).toContain(`✔ pushed ${file} to staging: now version 2`);

    const audit = await rollgate(['audit', '--env', 'staging', '--limit', '1']);
    expect(audit.stderr).toBe('');
    expect(audit.code).toBe(0);
    const lines = audit.stdout.trimEnd().split('\n');
    expect(lines[0]).toMatch(/^\S+Z {2}#\d+ {2}dev {2}config\.put {2}config v2 {2}v1 → v2: ~max-cart-items {2}"e2e staging push"$/);
    expect(lines[1]).toMatch(/^more: rollgate audit --env staging --cursor \d+$/);
    expect(lines).toHaveLength(2);
  });

  it('deploy with short custom stages, watched briefly: no health data yet → exit 4', async () => {
    const r = await rollgate([
      'deploy',
      'new-checkout',
      '--variant',
      'on',
      '--stages',
      '5:0,50:10m,100:20m',
      '--bake',
      '60',
      '--env',
      'staging',
      '--reason',
      'e2e',
      '--wait',
      '1',
      '--interval',
      '0.5',
    ]);
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
    const json = JSON.parse((await rollgate(['status', '--env', 'staging', '--json'])).stdout) as {
      environments: { activeRollouts: { flag: string; percent: number; stageIndex: number }[] }[];
    };
    expect(json.environments[0]!.activeRollouts).toMatchObject([{ flag: 'new-checkout', percent: 5, stageIndex: 0 }]);
  });

  it('rollback --reason, then audit --json shows it first', async () => {
    const r = await rollgate(['rollback', 'new-checkout', '--env', 'staging', '--reason', 'e2e rollback']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/rolled back new-checkout in staging \(ro_\S+\): 5% → 0%/);

    const audit = await rollgate(['audit', '--env', 'staging', '--flag', 'new-checkout', '--json']);
    expect(audit.code).toBe(0);
    const out = JSON.parse(audit.stdout) as {
      environment: string;
      entries: { action: string; actor: string; reason: string | null }[];
      nextCursor: string | null;
    };
    expect(out.environment).toBe('staging');
    expect(out.entries[0]).toMatchObject({ action: 'rollout.rollback', actor: 'dev', reason: 'e2e rollback' });
    expect(out.entries[1]).toMatchObject({ action: 'rollout.start', reason: 'e2e' });
  });

  it('audit in human form: newest first, with the diff summary and the reason', async () => {
    const r = await rollgate(['audit', '--env', 'staging', '--flag', 'new-checkout']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const lines = r.stdout.trimEnd().split('\n');
    expect(lines[0]).toMatch(/^\S+Z {2}#\d+ {2}dev {2}rollout\.rollback +ro_\S+ {2}running 5% → rolled_back 0% {2}"e2e rollback"$/);
    expect(lines[1]).toMatch(/^\S+Z {2}#\d+ {2}dev {2}rollout\.start +ro_\S+ {2}→ on at 5% \(safe\) {2}"e2e"$/);
    const none = await rollgate(['audit', '--env', 'staging', '--flag', 'dark-mode', '--action', 'rollout.rollback']);
    expect(none.code).toBe(0);
    expect(none.stdout).toBe('no audit entries in staging for dark-mode with action rollout.rollback\n');
  });
});

describe('error messages', () => {
  it('an unreachable Rollgate: a clear error', async () => {
    const port = await freePort();
    const r = await rollgate(['status'], { ROLLGATE_URL: `http://127.0.0.1:${port}` });
    expect(r.code).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr).toBe(`error: no Rollgate at http://127.0.0.1:${port} — is \`npm start\` running?\n`);
  });

  it('a wrong ROLLGATE_TOKEN: 401 naming where the token came from and the environment', async () => {
    const r = await rollgate(['audit', '--env', 'staging'], { ROLLGATE_TOKEN: 'not-the-token' });
    expect(r.code).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(
      new RegExp(
        `^error: 401 Unauthorized for environment "staging": Rollgate at ${baseUrl.replace(/\./g, '\\.')} rejected the admin token in ROLLGATE_TOKEN( \\(.*\\))? — check ROLLGATE_TOKEN, or pass the right token with --token\\n$`,
      ),
    );
    expect(r.stderr).not.toContain('not-the-token');
  });

  it('a wrong --token: 401 naming --token', async () => {
    const r = await rollgate(['status', '--token', 'not-the-token'], { ROLLGATE_TOKEN: 'dev-admin-token' });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`401 Unauthorized: Rollgate at ${baseUrl} rejected the admin token given with --token`);
    expect(r.stderr).toContain('— check the value of --token');
  });
});

describe('setup --dry-run', () => {
  it('prints the wrangler commands and the wrangler.toml lines to add', async () => {
    const r = await rollgate(['setup', '--env', 'canary', '--dry-run']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const lines = r.stdout.trimEnd().split('\n');
    expect(lines.slice(0, 5)).toEqual([
      '# dry run: the commands rollgate setup would run for wrangler environment canary (after npx wrangler login)',
      'npx wrangler kv namespace create FLAGS --env canary',
      `echo '[{"name":"admin","sha256":"<sha256 of a new admin token>","environments":"*","role":"operator"}]' | npx wrangler secret put ADMIN_TOKENS --env canary`,
      `echo '{"development":["<sha256 of a new development client key>"],"staging":["<sha256 of a new staging client key>"],"production":["<sha256 of a new production client key>"]}' | npx wrangler secret put FALLBACK_CLIENT_KEYS --env canary`,
      `echo '{"development":["<a new development webhook secret>"],"staging":["<a new staging webhook secret>"],"production":["<a new production webhook secret>"]}' | npx wrangler secret put WEBHOOK_SECRETS --env canary`,
    ]);
    expect(lines).toContain('# then add to wrangler.toml (replacing the local kv_namespaces id):');
    expect(r.stdout).toContain('[[env.canary.kv_namespaces]]\nbinding = "FLAGS"\nid = "<id printed by the first command>"\n');
    expect(r.stdout).toContain('[[env.canary.durable_objects.bindings]]\nname = "COORDINATOR"\nclass_name = "RolloutCoordinator"\n');
    expect(r.stdout).toContain('[[env.canary.ratelimits]]\nname = "METRICS_RATE_LIMIT"\nnamespace_id = "9102"\nsimple = { limit = 100, period = 10 }\n');
    expect(r.stdout).toContain('[env.canary.vars]\nSNAPSHOT_REFRESH_MS = "5000"\nMAX_BODY_BYTES = "65536"\nFLAG_OVERRIDES = "{}"\n');
    expect(lines.at(-1)).toBe('# secrets are generated when it runs and printed once; nothing was run.');
  });

  it('the printed wrangler.toml lines give the environment every binding (checked by wrangler deploy --dry-run)', async () => {
    const r = await rollgate(['setup', '--env', 'canary', '--dry-run']);
    expect(r.code).toBe(0);
    const toml = r.stdout.slice(r.stdout.indexOf('[[env.canary.kv_namespaces]]'), r.stdout.indexOf('# secrets are generated'));
    const dir = mkdtempSync(join(tmpdir(), 'rollgate-setup-e2e-'));
    try {
      const base = readFileSync('wrangler.toml', 'utf8').replace('main = "src/index.ts"', `main = ${JSON.stringify(join(process.cwd(), 'src/index.ts'))}`);
      writeFileSync(join(dir, 'wrangler.toml'), `${base}\n${toml}`);
      const out = await new Promise<{ code: number; text: string }>((resolve, reject) => {
        const child = spawn(
          process.execPath,
          [join(process.cwd(), 'node_modules/wrangler/bin/wrangler.js'), 'deploy', '--dry-run', '--env', 'canary', '--outdir', join(dir, 'out')],
          {
            cwd: dir,
            env: { ...process.env, WRANGLER_SEND_METRICS: 'false', NO_COLOR: '1', FORCE_COLOR: '0' },
            stdio: ['ignore', 'pipe', 'pipe'],
          },
        );
        let text = '';
        child.stdout.on('data', (d: Buffer) => (text += d.toString()));
        child.stderr.on('data', (d: Buffer) => (text += d.toString()));
        child.on('error', reject);
        child.on('close', (code) => resolve({ code: code ?? -1, text }));
      });
      expect(out.code, out.text).toBe(0);
      expect(out.text).not.toContain('not on "env.canary"');
      for (const binding of [
        'env.COORDINATOR (RolloutCoordinator)',
        'env.METRICS (MetricsShard)',
        'env.FLAGS (<id printed by the first command>)',
        'env.SNAPSHOT_REFRESH_MS ("5000")',
      ]) {
        expect(out.text).toContain(binding);
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 30_000);
});
