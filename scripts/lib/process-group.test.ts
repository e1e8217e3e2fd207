import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { stopGroupAndRemove } from './process-group';

/** Whether any process of the group led by `pid` is still alive. */
function groupAlive(pid: number): boolean {
  try {
    process.kill(-pid, 0);
    return true;
  } catch {
    return false;
  }
}

it('stops a process group that keeps writing into its folder, and removes the folder after', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'rollgate-process-group-'));
  // A leader that ignores SIGTERM and a child of its own, both writing files as fast as they can:
  // the worst case of a server flushing its state while it is told to stop.
  const writer = `const fs = require('node:fs'); let i = 0; setInterval(() => fs.writeFileSync(process.argv[1] + '/' + process.pid + '-' + i++, 'x'), 1);`;
  const leader = `process.on('SIGTERM', () => {}); require('node:child_process').spawn(process.execPath, ['-e', ${JSON.stringify(writer)}, process.argv[1]], { stdio: 'ignore' }); ${writer}`;
  const child = spawn(process.execPath, ['-e', leader, dir], { detached: true, stdio: 'ignore' });
  await new Promise((r) => setTimeout(r, 300));
  expect(groupAlive(child.pid!)).toBe(true);

  await stopGroupAndRemove(child, dir, 200);

  expect(existsSync(dir)).toBe(false);
  await new Promise((r) => setTimeout(r, 100));
  expect(groupAlive(child.pid!)).toBe(false);
});
