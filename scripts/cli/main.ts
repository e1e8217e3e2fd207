import { readFileSync } from 'node:fs';
import { parseCommandArgs, renderHelp } from './lib/args';
import { CliError, EXIT, UsageError } from './lib/errors';
import type { CliIo } from './lib/io';
import { didYouMean } from './lib/suggest';
import { Output } from './lib/output';
import { type CommandDef, makeCtx, optionsOf } from './command';
import { pause, promote, resume, rollback } from './commands/actions';
import { audit } from './commands/audit';
import { deploy } from './commands/deploy';
import { diff } from './commands/diff';
import { health } from './commands/health';
import { keys } from './commands/keys';
import { notifications } from './commands/notifications';
import { push } from './commands/push';
import { revert } from './commands/revert';
import { setup } from './commands/setup';
import { status } from './commands/status';
import { validate } from './commands/validate';

/** Every command, in the order --help lists them. */
export const COMMANDS: readonly CommandDef[] = [
  validate,
  diff,
  push,
  deploy,
  status,
  rollback,
  pause,
  resume,
  promote,
  revert,
  audit,
  health,
  notifications,
  keys,
  setup,
];

function version(): string {
  try {
    return (JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }).version;
  } catch {
    return 'unknown';
  }
}

/** The top-level --help. */
export function mainHelp(): string {
  const width = Math.max(...COMMANDS.map((c) => c.name.length));
  return [
    'rollgate — the admin CLI of Rollgate, the edge feature-flag service.',
    '',
    'Usage: rollgate <command> [options]      rollgate <command> --help for its options',
    '',
    'Commands:',
    ...COMMANDS.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`),
    '',
    'Target (every command that talks to Rollgate):',
    '  --url URL      / ROLLGATE_URL    default http://127.0.0.1:8787 (npm start)',
    '  --token TOKEN  / ROLLGATE_TOKEN  default dev-admin-token, for loopback URLs only',
    '  --env ENV      / ROLLGATE_ENV    default development',
    '',
    'Protected environments (production by default) ask before a write; --yes confirms in CI.',
    'Exit codes: 0 ok, 1 failure, 2 usage; deploy --wait: 3 rolled back, 4 insufficient data.',
    'Colour only on a terminal and when NO_COLOR is unset. Runbook: docs/RUNBOOK.md',
    '',
  ].join('\n');
}

/** Runs the CLI; returns the exit code. Never throws. */
export async function main(argv: readonly string[], io: CliIo, options: { fetchTimeoutMs?: number } = {}): Promise<number> {
  const out = new Output(io);
  const [first, ...rest] = argv;
  if (first === undefined || first === '--help' || first === '-h' || first === 'help') {
    const topic = first === 'help' ? rest[0] : undefined;
    const cmd = topic === undefined ? undefined : COMMANDS.find((c) => c.name === topic);
    if (topic !== undefined && !cmd) {
      out.error(
        `unknown command "${topic}"${didYouMean(
          topic,
          COMMANDS.map((c) => c.name),
        )}`,
      );
      io.stderr.write(mainHelp());
      return EXIT.usage;
    }
    if (cmd) io.stdout.write(renderHelp({ ...cmd, options: optionsOf(cmd) }));
    else if (first === undefined) {
      io.stderr.write(mainHelp());
      return EXIT.usage;
    } else io.stdout.write(mainHelp());
    return EXIT.ok;
  }
  if (first === '--version' || first === '-V') {
    out.line(version());
    return EXIT.ok;
  }
  const cmd = COMMANDS.find((c) => c.name === first);
  if (!cmd) {
    out.error(
      first.startsWith('-')
        ? `expected a command before "${first}"`
        : `unknown command "${first}"${didYouMean(
            first,
            COMMANDS.map((c) => c.name),
          )}`,
    );
    io.stderr.write(`run \`rollgate --help\` for the commands\n`);
    return EXIT.usage;
  }
  try {
    const opts = optionsOf(cmd);
    const { values, positionals } = parseCommandArgs(cmd.name, rest, opts);
    if (values['help'] === true) {
      io.stdout.write(renderHelp({ ...cmd, options: opts }));
      return EXIT.ok;
    }
    const ctx = makeCtx(cmd, io, values, positionals, options.fetchTimeoutMs);
    return await cmd.run(ctx);
  } catch (err) {
    if (err instanceof UsageError) {
      out.error(err.message);
      io.stderr.write(`run \`rollgate ${err.command ?? cmd.name} --help\` for usage\n`);
      return EXIT.usage;
    }
    if (err instanceof CliError) {
      out.error(err.message);
      for (const d of err.details) io.stderr.write(`  ${d}\n`);
      return err.exitCode;
    }
    out.error(`unexpected: ${(err as Error)?.stack ?? String(err)}`);
    return EXIT.failure;
  }
}
