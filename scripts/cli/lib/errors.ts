/** Exit codes of the rollgate CLI (documented in docs/RUNBOOK.md). */
export const EXIT = {
  ok: 0,
  failure: 1,
  usage: 2,
  /** deploy --wait: the rollout was rolled back while we watched. */
  rolledBack: 3,
  /** deploy --wait: the wait ended while the health data was insufficient. */
  insufficientData: 4,
} as const;

/** A failure with a message for the operator (what happened, what to do) and an exit code. */
export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode: number = EXIT.failure,
    /** Further lines printed under the message, e.g. each validation error with its path. */
    readonly details: readonly string[] = [],
  ) {
    super(message);
    this.name = 'CliError';
  }
}

/** The command line itself is wrong: unknown option, missing argument, bad value (exit 2). */
export class UsageError extends CliError {
  constructor(
    message: string,
    /** The command whose --help to point at, when known. */
    readonly command?: string,
  ) {
    super(message, EXIT.usage);
    this.name = 'UsageError';
  }
}
