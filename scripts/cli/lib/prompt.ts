import { createInterface } from 'node:readline';
import { CliError, EXIT } from './errors';
import type { CliIo } from './io';

/** The question asked before writing to a protected environment. */
export function confirmationQuestion(environment: string): string {
  return `Are you sure you want to deploy to ${environment.toUpperCase()}? (type 'yes' to confirm) `;
}

/** Reads one line from a stream; null at end of input. */
export function readLine(input: NodeJS.ReadableStream): Promise<string | null> {
  return new Promise((resolve) => {
    const rl = createInterface({ input, terminal: false });
    let done = false;
    const finish = (value: string | null) => {
      if (done) return;
      done = true;
      rl.close();
      resolve(value);
    };
    rl.once('line', (line) => finish(line));
    rl.once('close', () => finish(null));
  });
}

/**
 * Confirms a write to a protected environment. `--yes` skips the question; without a TTY to ask
 * on, the command refuses rather than hangs; any answer but "yes" aborts. Refusals are exit 1 and
 * happen before anything is sent, so nothing changes.
 */
export async function confirmProtected(io: CliIo, options: { environment: string; yes: boolean; action: string }): Promise<void> {
  if (options.yes) return;
  const env = options.environment;
  if (io.stdin.isTTY !== true) {
    throw new CliError(
      `"${env}" is protected and there is no terminal to confirm on, so nothing was changed — pass --yes to ${options.action} without asking (e.g. in CI)`,
      EXIT.failure,
    );
  }
  io.stderr.write(confirmationQuestion(env));
  const answer = await readLine(io.stdin);
  if (answer === null) io.stderr.write('\n');
  if (answer?.trim() !== 'yes') throw new CliError(`aborted: you did not type 'yes', so nothing was changed in ${env}`, EXIT.failure);
}
