// `npm start`: validates config/flags.json, runs `wrangler dev` on 127.0.0.1:8787 (PORT overrides)
// with local KV and Durable Objects in .wrangler/state (ROLLGATE_STATE_DIR overrides; tests use a
// temporary directory, and ROLLGATE_ENV_FILE instead of .dev.vars) and the cron testable, then seeds environments through the admin API, so
// that the coordinator is the only writer of KV here too. It seeds an environment's config only
// when it is empty, or when the file changed since the last seed and the environment is not
// protected (scripts/lib/seed-decision.ts); the record of seeds lives in the state directory.
import { spawn } from 'node:child_process';
import { appendFileSync, copyFileSync, existsSync, readFileSync } from 'node:fs';
import { issueLinesOf } from '../cli/lib/local-config';
import { paint } from '../cli/lib/output';
import { validateConfigFile } from '../lib/config-file';
import { seedLocal } from '../lib/seed-local';
import { fileSeedRecord, sha256OfBytes } from '../lib/seed-record';

const CONFIG = 'config/flags.json';
const port = process.env['PORT'] ?? '8787';
const stateDir = process.env['ROLLGATE_STATE_DIR'] || '.wrangler/state';
const baseUrl = `http://127.0.0.1:${port}`;
const offline = { ...process.env, WRANGLER_SEND_METRICS: 'false', CLOUDFLARE_CF_FETCH_ENABLED: 'false' };

// ROLLGATE_ENV_FILE replaces .dev.vars (tests pass .dev.vars.example, so they depend on nothing a developer left).
const envFile = process.env['ROLLGATE_ENV_FILE'] || null;
if (!envFile && !existsSync('.dev.vars')) {
  copyFileSync('.dev.vars.example', '.dev.vars');
  console.log('rollgate: created .dev.vars from .dev.vars.example');
} else if (!envFile && !/^SESSION_SECRET=/m.test(readFileSync('.dev.vars', 'utf8'))) {
  // A .dev.vars from before the dashboard: it gets the example's local session secret, nothing else changes.
  const line = /^SESSION_SECRET=.*$/m.exec(readFileSync('.dev.vars.example', 'utf8'))?.[0];
  if (line) {
    appendFileSync('.dev.vars', `\n${line}\n`);
    console.log('rollgate: added the local SESSION_SECRET to .dev.vars (the dashboard signs its sessions with it)');
  }
}

// Hashed before it is read for validation: if it changes in between, the next start sees a change.
const fileHash = existsSync(CONFIG) ? sha256OfBytes(readFileSync(CONFIG)) : '';
const result = await validateConfigFile(CONFIG);
for (const line of issueLinesOf(CONFIG, result.errors, result.warnings, paint(false))) console.log(line);
if (!result.ok) {
  console.error(`rollgate: ${CONFIG} has ${result.errors.length} errors; fix them and run npm start again.`);
  process.exit(1);
}

const dev = spawn(
  'wrangler',
  [
    'dev',
    '--ip',
    '127.0.0.1',
    '--port',
    port,
    '--persist-to',
    stateDir,
    ...(envFile ? ['--env-file', envFile] : []),
    '--test-scheduled',
    '--show-interactive-dev-session=false',
  ],
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
  const record = fileSeedRecord(stateDir);
  if (record.problem) console.log(`rollgate: ${record.problem}`);
  for (const line of await seedLocal(baseUrl, result.config, { fileHash, record, file: CONFIG })) console.log(`rollgate: ${line}`);
  console.log(`rollgate: ready on ${baseUrl} (admin token dev-admin-token)`);
} catch (err) {
  console.error(`rollgate: ${(err as Error).message}`);
  dev.kill('SIGTERM');
  process.exitCode = 1;
}
