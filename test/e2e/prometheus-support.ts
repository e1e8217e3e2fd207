/**
 * A real Prometheus for the e2e tests (Debian's `prometheus` package, which .ci/run installs when
 * missing): started on a free loopback port with a temporary data directory and a generated
 * config that scrapes the given targets every second.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, waitForOk } from './support';

export interface LocalPrometheus {
  url: string;
  output(): string;
  stop(): void;
}

export async function startPrometheus(targets: string[]): Promise<LocalPrometheus> {
  const dir = mkdtempSync(join(tmpdir(), 'rollgate-prometheus-e2e-'));
  const port = await freePort();
  const config = join(dir, 'prometheus.yml');
  writeFileSync(
    config,
    [
      'global:',
      '  scrape_interval: 1s',
      '  evaluation_interval: 1s',
      'scrape_configs:',
      '  - job_name: app',
      '    static_configs:',
      `      - targets: [${targets.map((t) => `'${t}'`).join(', ')}]`,
      '',
    ].join('\n'),
  );
  let output = '';
  const child: ChildProcess = spawn(
    'prometheus',
    [`--config.file=${config}`, `--storage.tsdb.path=${join(dir, 'data')}`, `--web.listen-address=127.0.0.1:${port}`],
    {
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  child.stdout?.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (output += d.toString()));
  const url = `http://127.0.0.1:${port}`;
  const stop = () => {
    child.kill('SIGKILL');
    // SIGKILL ends it at once, but the kernel may still be closing its files: retry ENOTEMPTY.
    rmSync(dir, { recursive: true, force: true, maxRetries: 10, retryDelay: 100 });
  };
  try {
    await waitForOk(
      `${url}/-/ready`,
      () => child,
      () => output,
      Date.now() + 30_000,
    );
  } catch (err) {
    stop();
    throw err;
  }
  return { url, output: () => output, stop };
}
