import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { environmentsOf } from '../../../src/core/config/environments';
import { zEnvironmentSpec } from '../../../src/core/schema/config';
import { formatSecret } from '../../../src/core/encoding';
import * as z from '../../../src/core/schema/zod';
import { sha256Hex } from '../../../src/core/sha256';
import { expectPositionals, stringOption } from '../lib/args';
import { CliError, EXIT, UsageError } from '../lib/errors';
import { DEFAULT_CONFIG_FILE } from '../lib/local-config';
import type { CommandDef } from '../command';

/** A random secret: 256 bits, URL-safe base64, with a recognisable prefix. */
export function mintSecret(prefix: string): string {
  return formatSecret(prefix, crypto.getRandomValues(new Uint8Array(32)));
}

/** The Rollgate environments a config file lists (only its `environments` is read; the default three when absent). */
export async function environmentNames(cwd: string, file: string): Promise<string[]> {
  let doc: unknown;
  try {
    doc = JSON.parse(await readFile(resolve(cwd, file), 'utf8'));
  } catch (err) {
    throw new CliError(`cannot read the environments of ${file}: ${(err as Error).message}`);
  }
  const parsed = z.object({ environments: z.optional(z.array(zEnvironmentSpec).check(z.minLength(1))) }).safeParse(doc);
  if (!parsed.success) throw new CliError(`${file}: "environments" is invalid — run \`rollgate validate ${file}\``);
  return environmentsOf(parsed.data).map((e) => e.name);
}

/** Quotes an argument for a POSIX shell when it needs it. */
export function shellQuote(s: string): string {
  return /^[A-Za-z0-9_./:=@%+-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`;
}

/** The wrangler.toml lines for a KV namespace id (and, for a wrangler environment, its non-inherited bindings). */
export function tomlLines(wranglerEnv: string | undefined, kvId: string): string[] {
  const prefix = wranglerEnv ? `env.${wranglerEnv}.` : '';
  const lines = [`[[${prefix}kv_namespaces]]`, 'binding = "FLAGS"', `id = "${kvId}"`];
  if (wranglerEnv) {
    lines.push(
      '',
      '# bindings and vars are not inherited by a wrangler environment:',
      `[[env.${wranglerEnv}.durable_objects.bindings]]`,
      'name = "COORDINATOR"',
      'class_name = "RolloutCoordinator"',
      '',
      `[[env.${wranglerEnv}.durable_objects.bindings]]`,
      'name = "METRICS"',
      'class_name = "MetricsShard"',
      '',
      `[[env.${wranglerEnv}.ratelimits]]`,
      'name = "OFREP_RATE_LIMIT"',
      'namespace_id = "9101"',
      'simple = { limit = 10000, period = 10 }',
      '',
      `[[env.${wranglerEnv}.ratelimits]]`,
      'name = "METRICS_RATE_LIMIT"',
      'namespace_id = "9102"',
      'simple = { limit = 100, period = 10 }',
      '',
      `[env.${wranglerEnv}.vars]`,
      'SNAPSHOT_REFRESH_MS = "5000"',
      'MAX_BODY_BYTES = "65536"',
      'FLAG_OVERRIDES = "{}"',
    );
  }
  return lines;
}

/** The KV namespace id in `wrangler kv namespace create`'s output. */
export function parseKvId(output: string): string | null {
  return /\bid"?\s*[=:]\s*"([0-9a-f]{32})"/i.exec(output)?.[1] ?? null;
}

export const setup: CommandDef = {
  name: 'setup',
  summary: 'Prepare a Cloudflare account for Rollgate with wrangler: KV namespace, ADMIN_TOKENS, FALLBACK_CLIENT_KEYS, WEBHOOK_SECRETS.',
  usage: ['setup [--env WRANGLER_ENV] [--dry-run] [--config FILE] [--admin-name NAME]'],
  description: [
    'Runs, in order (after `npx wrangler login`):',
    '  npx wrangler kv namespace create FLAGS [--env E]',
    '  npx wrangler secret put ADMIN_TOKENS [--env E]          (a new operator token, stored as its SHA-256)',
    '  npx wrangler secret put FALLBACK_CLIENT_KEYS [--env E]  (a new client key per Rollgate environment)',
    '  npx wrangler secret put WEBHOOK_SECRETS [--env E]       (a new notification signing secret per Rollgate environment)',
    'then prints the wrangler.toml lines to add and the new secrets, once. --env names a wrangler',
    'environment ([env.E] in wrangler.toml, one Worker deployment); omit it for the top-level Worker.',
    'Every Worker serves all Rollgate environments of the config. --dry-run prints the commands only.',
  ].join('\n'),
  uses: {},
  options: {
    env: { type: 'string', short: 'e', valueName: 'WRANGLER_ENV', description: 'wrangler environment ([env.NAME] in wrangler.toml); default: top level' },
    'dry-run': { type: 'boolean', description: 'print the wrangler commands without running them' },
    config: { type: 'string', valueName: 'FILE', description: `config whose environments get fallback client keys (default ${DEFAULT_CONFIG_FILE})` },
    'admin-name': { type: 'string', valueName: 'NAME', description: 'name of the new admin token, recorded as the actor (default admin)' },
  },
  examples: ['rollgate setup --dry-run', 'rollgate setup --env production'],
  async run(ctx) {
    expectPositionals(ctx.positionals, 'setup', 0, 0, '');
    const wranglerEnv = stringOption(ctx.values, 'env');
    if (wranglerEnv !== undefined && !/^[A-Za-z0-9_-]+$/.test(wranglerEnv))
      throw new UsageError(`--env "${wranglerEnv}" is not a wrangler environment name`, 'setup');
    const adminName = stringOption(ctx.values, 'admin-name') ?? 'admin';
    const file = stringOption(ctx.values, 'config') ?? DEFAULT_CONFIG_FILE;
    const dryRun = ctx.values['dry-run'] === true;
    const rgEnvs = await environmentNames(ctx.io.cwd, file);
    const envArgs = wranglerEnv ? ['--env', wranglerEnv] : [];
    const c = ctx.out.c;
    const show = (args: string[], stdin?: string) =>
      `${stdin !== undefined ? `echo ${shellQuote(stdin)} | ` : ''}npx wrangler ${args.map(shellQuote).join(' ')}`;

    const kvArgs = ['kv', 'namespace', 'create', 'FLAGS', ...envArgs];
    const adminArgs = ['secret', 'put', 'ADMIN_TOKENS', ...envArgs];
    const fallbackArgs = ['secret', 'put', 'FALLBACK_CLIENT_KEYS', ...envArgs];
    const webhookArgs = ['secret', 'put', 'WEBHOOK_SECRETS', ...envArgs];

    if (dryRun) {
      const adminJson = JSON.stringify([{ name: adminName, sha256: '<sha256 of a new admin token>', environments: '*', role: 'operator' }]);
      const fallbackJson = JSON.stringify(Object.fromEntries(rgEnvs.map((e) => [e, [`<sha256 of a new ${e} client key>`]])));
      ctx.out.line(
        c.dim(`# dry run: the commands rollgate setup would run${wranglerEnv ? ` for wrangler environment ${wranglerEnv}` : ''} (after npx wrangler login)`),
      );
      ctx.out.line(show(kvArgs));
      ctx.out.line(show(adminArgs, adminJson));
      ctx.out.line(show(fallbackArgs, fallbackJson));
      ctx.out.line(show(webhookArgs, JSON.stringify(Object.fromEntries(rgEnvs.map((e) => [e, [`<a new ${e} webhook secret>`]])))));
      ctx.out.line();
      ctx.out.line(c.dim('# then add to wrangler.toml (replacing the local kv_namespaces id):'));
      ctx.out.lines(tomlLines(wranglerEnv, '<id printed by the first command>'));
      ctx.out.line();
      ctx.out.line(c.dim('# secrets are generated when it runs and printed once; nothing was run.'));
      return EXIT.ok;
    }

    const wrangler = async (args: string[], stdin?: string) => {
      ctx.out.line(c.dim(`$ ${show(args, stdin === undefined ? undefined : '…')}`));
      const local = join(ctx.io.cwd, 'node_modules', 'wrangler', 'bin', 'wrangler.js');
      const res = existsSync(local) ? await ctx.io.run(process.execPath, [local, ...args], stdin) : await ctx.io.run('npx', ['wrangler', ...args], stdin);
      if (res.code !== 0)
        throw new CliError(`\`npx wrangler ${args.join(' ')}\` failed (exit ${res.code}) — see its output above; is \`npx wrangler login\` done?`);
      return res.stdout;
    };

    const kvOut = await wrangler(kvArgs);
    const kvId = parseKvId(kvOut);
    const adminToken = mintSecret('rgadm');
    await wrangler(adminArgs, JSON.stringify([{ name: adminName, sha256: await sha256Hex(adminToken), environments: '*', role: 'operator' }]));
    const clientKeys = Object.fromEntries(rgEnvs.map((e) => [e, mintSecret(`rg_${e}`)]));
    const hashes: Record<string, string[]> = {};
    for (const [e, k] of Object.entries(clientKeys)) hashes[e] = [await sha256Hex(k)];
    await wrangler(fallbackArgs, JSON.stringify(hashes));
    const webhookSecrets = Object.fromEntries(rgEnvs.map((e) => [e, mintSecret(`rgwh_${e}`)]));
    await wrangler(webhookArgs, JSON.stringify(Object.fromEntries(Object.entries(webhookSecrets).map(([e, k]) => [e, [k]]))));

    ctx.out.line();
    ctx.out.line(c.bold('1. Add to wrangler.toml (replacing the local kv_namespaces id):'));
    ctx.out.lines(tomlLines(wranglerEnv, kvId ?? '<the id wrangler printed above>'));
    ctx.out.line();
    ctx.out.line(c.bold(`2. Deploy: npx wrangler deploy${wranglerEnv ? ` --env ${wranglerEnv}` : ''}`));
    ctx.out.line();
    ctx.out.line(c.bold(`3. Your admin token "${adminName}" (operator on every environment):`));
    ctx.out.line(`    ${adminToken}`);
    ctx.out.line('   export ROLLGATE_URL=https://<your worker>.workers.dev ROLLGATE_TOKEN=<the token above>');
    ctx.out.line();
    ctx.out.line(c.bold('4. Client keys accepted by the bundled fallback snapshot; register each once the Worker is up:'));
    for (const [e, k] of Object.entries(clientKeys)) {
      ctx.out.line(`    ${e}: ${k}`);
      ctx.out.line(c.dim(`      echo '${k}' | rollgate keys issue --env ${e} --name default --import --yes`));
    }
    ctx.out.line();
    ctx.out.line(c.bold('   Notification signing secrets (X-Rollgate-Signature; README, Notifications), for your webhook receivers:'));
    for (const [e, k] of Object.entries(webhookSecrets)) ctx.out.line(`    ${e}: ${k}`);
    ctx.out.line();
    ctx.out.line(c.yellow('These secrets are shown only this once and only their SHA-256 is stored: put them in your secret manager now.'));
    ctx.out.line(c.dim('   These are evaluate keys (OFREP, safe in a browser). Services that post health reports need a report key:'));
    ctx.out.line(c.dim('   rollgate keys issue --env E --name NAME --scope report'));
    ctx.out.line(`5. Push the config: rollgate push --env development, then staging, then production (see docs/RUNBOOK.md).`);
    return EXIT.ok;
  },
};
