import { HELP_OPTION, JSON_OPTION, type OptionDefs, TARGET_OPTIONS, type Values, YES_OPTION, stringOption } from './lib/args';
import { AdminClient } from './lib/http';
import type { CliIo } from './lib/io';
import { Output } from './lib/output';
import { resolveTarget, type Target } from './lib/target';

/** What a command's run() gets. */
export interface Ctx {
  io: CliIo;
  out: Output;
  command: string;
  values: Values;
  positionals: string[];
  /** --json was given. */
  json: boolean;
  /** --yes was given. */
  yes: boolean;
  /** --url/--token/--env resolved against the environment variables (throws a UsageError when bad). */
  target(): Target;
  /** A client for the target. */
  client(): AdminClient;
}

/** A command: its help and its behaviour. */
export interface CommandDef {
  name: string;
  summary: string;
  usage: readonly string[];
  description?: string;
  /** Which shared options it takes. */
  uses: { target?: boolean; json?: boolean; yes?: boolean };
  options: OptionDefs;
  examples?: readonly string[];
  run(ctx: Ctx): Promise<number>;
}

/** All options of a command, its own first, then the shared ones. */
export function optionsOf(def: CommandDef): OptionDefs {
  return {
    ...def.options,
    ...(def.uses.target ? TARGET_OPTIONS : {}),
    ...(def.uses.json ? JSON_OPTION : {}),
    ...(def.uses.yes ? YES_OPTION : {}),
    ...HELP_OPTION,
  };
}

/** Builds the context of one invocation. */
export function makeCtx(def: CommandDef, io: CliIo, values: Values, positionals: string[], fetchTimeoutMs?: number): Ctx {
  let target: Target | undefined;
  let client: AdminClient | undefined;
  const ctx: Ctx = {
    io,
    out: new Output(io),
    command: def.name,
    values,
    positionals,
    json: values['json'] === true,
    yes: values['yes'] === true,
    target() {
      target ??= resolveTarget({ url: stringOption(values, 'url'), token: stringOption(values, 'token'), env: stringOption(values, 'env') }, io.env, def.name);
      return target;
    },
    client() {
      client ??= new AdminClient(ctx.target(), io.fetch, fetchTimeoutMs);
      return client;
    },
  };
  return ctx;
}
