import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { tempDirForTests } from '../../../test/helpers/temp-dir';
import { CONFIG, fakeIo, runCli as run } from '../../../test/helpers/cli';
import { main } from '../main';
import { parseKvId, shellQuote, tomlLines } from './setup';

const config = join(tempDirForTests('rollgate-setup-'), 'flags.json');
writeFileSync(config, JSON.stringify(CONFIG));
const runCli = (argv: string[]) => run([...argv, '--config', config]);

describe('setup', () => {
  it('--dry-run prints the wrangler commands and toml lines, runs nothing, mints nothing', async () => {
    const r = await runCli(['setup', '--dry-run']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('npx wrangler kv namespace create FLAGS\n');
    expect(r.stdout).toContain(
      `echo '[{"name":"admin","sha256":"<sha256 of a new admin token>","environments":"*","role":"operator"}]' | npx wrangler secret put ADMIN_TOKENS\n`,
    );
    expect(r.stdout).toMatch(
      /echo '\{"development":\["<sha256 of a new development client key>"\],"staging":\[.*\],"production":\[.*\]\}' \| npx wrangler secret put FALLBACK_CLIENT_KEYS\n/,
    );
    expect(r.stdout).toMatch(/echo '\{"development":\["<a new development webhook secret>"\],.*\}' \| npx wrangler secret put WEBHOOK_SECRETS\n/);
    expect(r.stdout).toContain('[[kv_namespaces]]\nbinding = "FLAGS"\nid = "<id printed by the first command>"');
    expect(r.stdout).not.toMatch(/rgadm_|rg_development_/);
  });

  it('--dry-run --env names the wrangler environment', async () => {
    const r = await runCli(['setup', '--dry-run', '--env', 'production']);
    expect(r.stdout).toContain('npx wrangler kv namespace create FLAGS --env production\n');
    expect(r.stdout).toContain('| npx wrangler secret put ADMIN_TOKENS --env production\n');
    expect(r.stdout).toContain('[[env.production.kv_namespaces]]');
    expect(r.stdout).toContain('[[env.production.durable_objects.bindings]]');
  });

  it('runs wrangler with the secrets on stdin and prints them once', async () => {
    const { io, stdout } = fakeIo();
    const runs: { args: readonly string[]; input: string | undefined }[] = [];
    io.run = async (_cmd, args, input) => {
      runs.push({ args: args.slice(-5), input });
      return { code: 0, stdout: args.includes('kv') ? '[[kv_namespaces]]\nbinding = "FLAGS"\nid = "0123456789abcdef0123456789abcdef"\n' : '', stderr: '' };
    };
    expect(await main(['setup', '--config', config], io)).toBe(0);
    expect(runs.map((r) => r.args.join(' '))).toEqual([
      expect.stringContaining('kv namespace create FLAGS'),
      expect.stringContaining('secret put ADMIN_TOKENS'),
      expect.stringContaining('secret put FALLBACK_CLIENT_KEYS'),
      expect.stringContaining('secret put WEBHOOK_SECRETS'),
    ]);
    const admin = JSON.parse(runs[1]!.input!) as { sha256: string; role: string }[];
    expect(admin[0]).toMatchObject({ role: 'operator', environments: '*' });
    expect(admin[0]!.sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(Object.keys(JSON.parse(runs[2]!.input!) as object)).toEqual(['development', 'staging', 'production']);
    expect(stdout.text).toContain('id = "0123456789abcdef0123456789abcdef"');
    expect(stdout.text).toMatch(/rgadm_[A-Za-z0-9_-]{43}/);
    expect(stdout.text).toContain('--name default --import --yes');
    // One new webhook secret per environment, the one the Worker signs with and the one printed for receivers.
    const webhooks = JSON.parse(runs[3]!.input!) as Record<string, string[]>;
    expect(Object.keys(webhooks)).toEqual(['development', 'staging', 'production']);
    for (const [e, [secret]] of Object.entries(webhooks)) {
      expect(secret).toMatch(new RegExp(`^rgwh_${e}_[A-Za-z0-9_-]{43}$`));
      expect(stdout.text).toContain(`    ${e}: ${secret}\n`);
    }
  });

  it('stops when wrangler fails', async () => {
    const { io, stderr } = fakeIo();
    io.run = async () => ({ code: 1, stdout: '', stderr: '' });
    expect(await main(['setup', '--config', config], io)).toBe(1);
    expect(stderr.text).toContain('`npx wrangler kv namespace create FLAGS` failed (exit 1)');
  });

  it('helpers', () => {
    expect(parseKvId('{ binding = "FLAGS", id = "0123456789abcdef0123456789abcdef" }')).toBe('0123456789abcdef0123456789abcdef');
    expect(parseKvId('"id": "abcdefabcdefabcdefabcdefabcdefab"')).toBe('abcdefabcdefabcdefabcdefabcdefab');
    expect(parseKvId('nothing')).toBeNull();
    expect(shellQuote("it's")).toBe(`'it'\\''s'`);
    expect(tomlLines(undefined, 'x')).toEqual(['[[kv_namespaces]]', 'binding = "FLAGS"', 'id = "x"']);
    // Rate limits are not inherited by a wrangler environment either: the per-key limits must be repeated.
    const env = tomlLines('canary', 'x').join('\n');
    expect(env).toContain('[[env.canary.ratelimits]]\nname = "OFREP_RATE_LIMIT"');
    expect(env).toContain('[[env.canary.ratelimits]]\nname = "METRICS_RATE_LIMIT"');
  });
});
