/** The machine a run happened on; numbers from different machines are not comparable. */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { arch, cpus, loadavg, platform, release } from 'node:os';
import { join } from 'node:path';
import { REPO_ROOT } from './paths';
import type { MachineInfo } from './types';

function workerdVersion(): string {
  try {
    const pkg = JSON.parse(readFileSync(join(REPO_ROOT, 'node_modules/workerd/package.json'), 'utf8')) as { version?: string };
    return pkg.version ?? 'unknown';
  } catch {
    return 'not installed';
  }
}

/** The code measured: HEAD, flagged when src/ has uncommitted changes (the numbers then describe those). */
function commit(): string {
  try {
    const git = (...args: string[]) => execFileSync('git', args, { cwd: REPO_ROOT, encoding: 'utf8' }).trim();
    const head = git('rev-parse', '--short', 'HEAD');
    return git('status', '--porcelain', '--', 'src') ? `${head} + uncommitted src/ changes` : head;
  } catch {
    return 'unknown';
  }
}

export function machineInfo(): MachineInfo {
  const list = cpus();
  return {
    cpu: list[0]?.model.trim() ?? 'unknown',
    cores: list.length,
    platform: `${platform()} ${release()} ${arch()}`,
    node: process.version,
    workerd: workerdVersion(),
    date: new Date().toISOString(),
    commit: commit(),
    loadAvg: Math.round((loadavg()[0] ?? 0) * 100) / 100,
  };
}
