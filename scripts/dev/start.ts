// `npm start`: validates config/flags.json, runs `wrangler dev` on 127.0.0.1:8787 (PORT overrides)
// with local KV and Durable Objects and the cron testable, then seeds every environment through
// the admin API, so that the coordinator is the only writer of KV here too.
import { spawn } from 'node:child_process';
import { copyFileSync, existsSync } from 'node:fs';
import { formatIssues, validateConfigFile } from '../lib/config-file';
import { seedLocal } from '../lib/seed-local';

const CONFIG = 'config/flags.json';
const port = process.env['PORT'] ?? '8787';
const baseUrl = `http://127.0.0.1:${port}`;
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

const dev = spawn(
  'wrangler',
  ['dev', '--ip', '127.0.0.1', '--port', port, '--test-scheduled', '--show-interactive-dev-session=false'],
  { stdio: 'inherit', env: offline },
);
for (const signal of ['SIGINT', 'SIGTERM'] as const) process.on(signal, () => dev.kill(signal));
dev.on('exit', (code) => process.exit(code ?? 0));

async function waitForWorker(deadline: number): Promise<void> {
  while (Date.now() < deadline) {
    try {
      if ((await fetch(`${baseUrl}/health/live`)).ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`wrangler dev did not answer on ${baseUrl} within 60 s`);
}

try {
  await waitForWorker(Date.now() + 60_000);
  for (const line of await seedLocal(baseUrl, result.config)) console.log(`rollgate: seeded ${line}`);
  console.log(`rollgate: ready on ${baseUrl} (admin token dev-admin-token)`);
} catch (err) {
  console.error(`rollgate: ${(err as Error).message}`);
  dev.kill('SIGTERM');
  process.exitCode = 1;
}
