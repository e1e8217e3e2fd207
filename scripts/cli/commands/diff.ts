import { diffConfigs } from '../../../src/core/config/diff';
import { expectPositionals } from '../lib/args';
import { formatChanges, summarizeChanges } from '../lib/diff-format';
import { EXIT } from '../lib/errors';
import { DEFAULT_CONFIG_FILE, issueLinesOf, loadConfigFor } from '../lib/local-config';
import { currentConfig } from '../lib/protection';
import type { CommandDef } from '../command';

export const diff: CommandDef = {
  name: 'diff',
  summary: 'Show the per-flag difference between a config file and what is live in an environment.',
  usage: ['diff [file] --env ENV [--json]'],
  description: `Validates the file first (nothing is sent when it is invalid), then compares it with the\nenvironment's current config version. The file defaults to ${DEFAULT_CONFIG_FILE}.`,
  uses: { target: true, json: true },
  options: {},
  examples: ['rollgate diff --env staging', 'rollgate diff config/flags.json --env production --json'],
  async run(ctx) {
    expectPositionals(ctx.positionals, 'diff', 0, 1, 'file');
    const file = ctx.positionals[0] ?? DEFAULT_CONFIG_FILE;
    const { environment } = ctx.target();
    const { config, warnings } = await loadConfigFor(ctx.io.cwd, file, environment, ctx.out.c);
    const current = await currentConfig(ctx.client(), environment);
    const changes = diffConfigs(current.document, config);
    if (ctx.json) {
      ctx.out.json({ environment, file, currentVersion: current.version, protected: current.protected, changes });
      return EXIT.ok;
    }
    for (const l of issueLinesOf(file, [], warnings, ctx.out.e)) ctx.out.note(l);
    const at = current.document
      ? `version ${current.version}${current.updatedAt ? `, written ${current.updatedAt} by ${current.actor}` : ''}`
      : 'no config yet';
    if (changes.length === 0) {
      ctx.out.line(`no changes: ${environment} (${at}) matches ${file}`);
      return EXIT.ok;
    }
    ctx.out.line(`${file} → ${environment} (${at}): ${summarizeChanges(changes)}`);
    ctx.out.lines(formatChanges(changes, ctx.out.c));
    return EXIT.ok;
  },
};
