import type { ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';

/** A TCP port free on 127.0.0.1 right now. */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });
}

/** Polls `url` until it answers 200, failing early (with the process output) if `child` exits. */
export async function waitForOk(url: string, child: () => ChildProcess | undefined, output: () => string, deadline: number): Promise<void> {
  while (Date.now() < deadline) {
    const c = child();
    if (c?.exitCode !== null && c?.exitCode !== undefined) throw new Error(`the server exited:\n${output()}`);
    try {
      if ((await fetch(url)).status === 200) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`${url} did not answer 200 in time:\n${output()}`);
}
