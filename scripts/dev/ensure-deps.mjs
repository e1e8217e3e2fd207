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

// `npm test` also runs real system programs (a Prometheus server for the metrics-source test,
// Chromium driven by playwright-core for the browser tests): installed from Debian's packages when
// missing, as root; otherwise say what to install.
const SYSTEM_PACKAGES = [
  { command: 'prometheus', pkg: 'prometheus' },
  { command: 'chromium', pkg: 'chromium' },
];
if (process.argv.includes('--system-packages')) {
  const has = (command) => spawnSync('sh', ['-c', `command -v ${command}`], { stdio: 'ignore' }).status === 0;
  const missing = SYSTEM_PACKAGES.filter((p) => !has(p.command));
  if (missing.length > 0) {
    const pkgs = missing.map((p) => p.pkg);
    const asRoot = typeof process.getuid === 'function' && process.getuid() === 0;
    if (!asRoot || !has('apt-get')) {
      console.error(
        `rollgate: the tests need ${pkgs.join(', ')}; install ${pkgs.length > 1 ? 'them' : 'it'} (e.g. sudo apt-get install -y ${pkgs.join(' ')}) and run npm test again.`,
      );
      process.exit(1);
    }
    console.error(`rollgate: installing ${pkgs.join(', ')} (apt-get)…`);
    const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
    for (const args of [['update'], ['install', '-y', ...pkgs]]) {
      const r = spawnSync('apt-get', args, { stdio: 'inherit', env });
      if (r.status !== 0) {
        console.error(`rollgate: apt-get ${args[0]} failed; see the output above.`);
        process.exit(r.status ?? 1);
      }
    }
  }
}
