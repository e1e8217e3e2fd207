import type { ChildProcess } from 'node:child_process';

export { freePort } from '../../scripts/lib/free-port';

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
