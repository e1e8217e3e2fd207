import { environmentsOf } from '../../../src/core/config/environments';
import { expectPositionals } from '../lib/args';
import { EXIT } from '../lib/errors';
import { DEFAULT_CONFIG_FILE, issueLinesOf, validateFile } from '../lib/local-config';
import type { CommandDef } from '../command';

export const validate: CommandDef = {
  name: 'validate',
  summary: 'Validate a config file offline, with the same code as the Worker.',
  usage: ['validate [file] [--json]'],
  description: `Reports every error and warning with its JSON path. Exit 1 when there are errors.\nThe file defaults to ${DEFAULT_CONFIG_FILE}. Needs no server.`,
  uses: { json: true },
  options: {},
  examples: ['rollgate validate', 'rollgate validate config/flags.json --json'],
  async run(ctx) {
    expectPositionals(ctx.positionals, 'validate', 0, 1, 'file');
    const file = ctx.positionals[0] ?? DEFAULT_CONFIG_FILE;
    const result = await validateFile(ctx.io.cwd, file);
    const environments = result.ok ? environmentsOf(result.config).map((e) => ({ name: e.name, protected: e.protected })) : [];
    if (ctx.json) {
      ctx.out.json({
        file,
        valid: result.ok,
        errors: result.errors,
        warnings: result.warnings,
        flags: result.ok ? Object.keys(result.config.flags).length : null,
        environments,
      });
      return result.ok ? EXIT.ok : EXIT.failure;
    }
    const c = ctx.out.c;
    ctx.out.lines(issueLinesOf(file, result.errors, result.warnings, c));
    if (result.ok) {
      const envs = environments.map((e) => (e.protected ? `${e.name} (protected)` : e.name)).join(', ');
      const w = result.warnings.length;
      ctx.out.line(
        `${c.green('✔')} ${file}: valid — ${Object.keys(result.config.flags).length} flags; environments ${envs}; ${w} warning${w === 1 ? '' : 's'}`,
      );
      return EXIT.ok;
    }
    const n = result.errors.length;
    ctx.out.line(`${c.red('✘')} ${file}: ${n} error${n === 1 ? '' : 's'}`);
    return EXIT.failure;
  },
};
