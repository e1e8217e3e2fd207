import { spawn } from 'node:child_process';

/** A stream the CLI writes to; `isTTY` and `columns` decide colour and the live display. */
export interface OutStream {
  write(text: string): unknown;
  isTTY?: boolean | undefined;
  columns?: number | undefined;
}

/** What the CLI reads from; only a TTY is asked for confirmation. */
export type InStream = NodeJS.ReadableStream & { isTTY?: boolean | undefined };

/** The result of running an external command (wrangler, for `setup`). */
export interface RunResult {
  code: number;
  stdout: string;
  stderr: string;
}

/**
 * Everything the CLI touches outside itself, injected so tests can drive it: streams, the
 * environment variables, fetch, the clock, sleeping and subprocesses.
 */
export interface CliIo {
  stdout: OutStream;
  stderr: OutStream;
  stdin: InStream;
  env: Readonly<Record<string, string | undefined>>;
  fetch: typeof fetch;
  now: () => number;
  sleep: (ms: number) => Promise<void>;
  cwd: string;
  /** Runs a command with `input` on its stdin; its stderr goes to ours, its stdout is captured. */
  run: (command: string, args: readonly string[], input?: string) => Promise<RunResult>;
}

/** The real process. */
export function processIo(): CliIo {
  return {
    stdout: process.stdout,
    stderr: process.stderr,
    stdin: process.stdin,
    env: process.env,
    fetch: globalThis.fetch.bind(globalThis),
    now: () => Date.now(),
    sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
    cwd: process.cwd(),
    run: (command, args, input) =>
      new Promise((resolve, reject) => {
        const child = spawn(command, [...args], { stdio: ['pipe', 'pipe', 'inherit'] });
        let stdout = '';
        child.stdout.on('data', (d: Buffer) => {
          stdout += d.toString();
          process.stdout.write(d);
        });
        child.on('error', reject);
        child.on('close', (code) => resolve({ code: code ?? 1, stdout, stderr: '' }));
        child.stdin.end(input ?? '');
      }),
  };
}

/**
 * Output piped into a reader that stops early (`rollgate audit | head`) closes the pipe: the next
 * write fails with EPIPE. That is not an error of the command: exit quietly, with the code the
 * command has set so far (0 when it succeeded), instead of printing a stack trace.
 */
export function exitQuietlyOnBrokenPipe(streams: ReadonlyArray<Pick<NodeJS.EventEmitter, 'on'>>, exit: () => void): void {
  for (const stream of streams) {
    stream.on('error', (err: NodeJS.ErrnoException) => {
      if (err.code === 'EPIPE') exit();
      else throw err;
    });
  }
}
