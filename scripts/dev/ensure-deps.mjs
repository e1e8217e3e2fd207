// Installs dependencies when node_modules is missing or older than the lock file, so that
// `npm start` and `npm test` work on a fresh clone with nothing run before them.
// Plain JavaScript on purpose: it runs on whatever Node the machine has, before Node 22 is installed.
import { spawnSync } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const lock = join(root, 'package-lock.json');
const marker = join(root, 'node_modules', '.package-lock.json');
const node22 = join(root, 'node_modules', '.bin', 'node');

const stale = !existsSync(marker) || !existsSync(node22) || statSync(marker).mtimeMs < statSync(lock).mtimeMs;
if (stale) {
  console.error('rollgate: installing dependencies (npm ci)…');
  const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
  const result = spawnSync(npm, ['ci', '--no-audit', '--no-fund'], { cwd: root, stdio: 'inherit' });
  if (result.status !== 0) {
    console.error('rollgate: npm ci failed; see the output above.');
    process.exit(result.status ?? 1);
  }
}
