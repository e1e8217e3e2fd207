// `npm start`: validates config/flags.json, seeds every environment's snapshot into local KV,
// then runs `wrangler dev` on 127.0.0.1:8787 (PORT overrides) with the cron testable.
import { spawn, spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { formatIssues, validateConfigFile } from '../lib/config-file';
import { localSeedEntries } from '../lib/local-seed';

const CONFIG = 'config/flags.json';
const port = process.env['PORT'] ?? '8787';
const offline = { ...process.env, WRANGLER_SEND_METRICS: 'false', CLOUDFLARE_CF_FETCH_ENABLED: 'false' };

if (!existsSync('.dev.vars')) {
  copyFileSync('.dev.vars.example', '.dev.vars');
  console.log('rollgate: created .dev.vars from .dev.vars.example');
}

const result = await validateConfigFile(CONFIG);
for (const line of formatIssues(CONFIG, result)) console.log(line);
if (!result.ok) {
  console.error(`rollgate: ${CONFIG} has ${result.errors.length} errors; fix them and run npm start again.`);
  process.exit(1);
}

const tmp = join('.wrangler', 'rollgate');
mkdirSync(tmp, { recursive: true });
const entries = localSeedEntries(result.config, tmp, Date.now());
const bulkFile = join(tmp, 'seed.json');
writeFileSync(bulkFile, JSON.stringify(entries));
const seeded = spawnSync('wrangler', ['kv', 'bulk', 'put', bulkFile, '--binding', 'FLAGS', '--local'], {
  stdio: ['ignore', 'pipe', 'pipe'],
  env: offline,
  encoding: 'utf8',
});
if (seeded.status !== 0) {
  console.error(`rollgate: seeding local KV failed:\n${seeded.stdout}${seeded.stderr}`);
  process.exit(1);
}
for (const e of entries) {
  const { $rollgate } = JSON.parse(e.value) as { $rollgate: { environment: string; version: number } };
  console.log(`rollgate: seeded ${$rollgate.environment} at version ${$rollgate.version} (client key dev-client-${$rollgate.environment})`);
}

const dev = spawn(
  'wrangler',
  ['dev', '--ip', '127.0.0.1', '--port', port, '--test-scheduled', '--show-interactive-dev-session=false'],
  { stdio: 'inherit', env: offline },
);
for (const signal of ['SIGINT', 'SIGTERM'] as const) process.on(signal, () => dev.kill(signal));
dev.on('exit', (code) => process.exit(code ?? 0));
