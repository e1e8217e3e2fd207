import type { ChildProcess } from 'node:child_process';
import { rmSync } from 'node:fs';

/**
 * Stops a detached child's whole process group (wrangler dev and the workerd it runs), waits for
 * the group's leader to exit (SIGKILL to the group after `graceMs`), and only then removes its
 * state folder: removing it while workerd still flushes KV or SQLite files fails with ENOTEMPTY.
 */
export async function stopGroupAndRemove(child: ChildProcess, dir: string, graceMs = 5000): Promise<void> {
  const pid = child.pid;
  if (pid !== undefined && child.exitCode === null && child.signalCode === null) {
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    signalGroup(pid, 'SIGTERM');
    let timer: ReturnType<typeof setTimeout> | undefined;
    await Promise.race([exited, new Promise<void>((resolve) => (timer = setTimeout(resolve, graceMs)))]);
    clearTimeout(timer);
  }
  // Whatever of the group outlived its leader goes too.
  if (pid !== undefined) signalGroup(pid, 'SIGKILL');
  // A process killed a moment ago may still close files: rmSync retries ENOTEMPTY and EBUSY.
  rmSync(dir, { recursive: true, force: true, maxRetries: 10, retryDelay: 100 });
}

function signalGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal);
  } catch {
    // the group is gone already
  }
}
