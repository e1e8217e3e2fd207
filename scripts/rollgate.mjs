#!/usr/bin/env node
// Launcher of the `rollgate` CLI (package.json "bin"). Plain JavaScript so that it runs on any
// Node: it re-executes scripts/rollgate.ts with the project's Node 22 (node_modules/.bin/node)
// and tsx's loader, passing arguments, stdio (so TTY detection and prompts work), signals and
// the exit code through.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const node = join(root, 'node_modules', '.bin', process.platform === 'win32' ? 'node.cmd' : 'node');
const tsx = join(root, 'node_modules', 'tsx', 'dist', 'loader.mjs');
const entry = join(root, 'scripts', 'rollgate.ts');

if (!existsSync(node) || !existsSync(tsx)) {
  console.error(`rollgate: the project's dependencies are missing; run \`npm ci\` in ${root} first.`);
  process.exit(1);
}

const child = spawn(node, ['--import', pathToFileURL(tsx).href, '--disable-warning=ExperimentalWarning', entry, ...process.argv.slice(2)], {
  stdio: 'inherit',
});
// Ctrl-C reaches the child from the terminal itself; other signals are passed on.
const signals = ['SIGINT', 'SIGTERM', 'SIGHUP'];
for (const signal of signals) process.on(signal, () => signal !== 'SIGINT' && child.kill(signal));
child.on('error', (err) => {
  console.error(`rollgate: could not start Node 22 (${err.message})`);
  process.exit(1);
});
child.on('exit', (code, signal) => {
  if (signal) {
    for (const s of signals) process.removeAllListeners(s);
    process.kill(process.pid, signal);
  } else process.exit(code ?? 1);
});
