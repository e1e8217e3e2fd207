import { isProtected } from '../../../src/core/config/environments';
import { diffConfigs } from '../../../src/core/config/diff';
import type { ConfigWriteResult } from '../lib/api';
import { expectPositionals, stringOption } from '../lib/args';
import { formatChanges, summarizeChanges } from '../lib/diff-format';
import { CliError, EXIT, UsageError } from '../lib/errors';
import { ApiError } from '../lib/http';
import { DEFAULT_CONFIG_FILE, issueLinesOf, loadConfigFor } from '../lib/local-config';
import { currentConfig, protectedWrite } from '../lib/protection';
import type { CommandDef } from '../command';

/** Header values must be plain text; a reason travels in X-Rollgate-Reason. */
export function checkHeaderText(value: string, option: string, command: string): string {
  if (!/^[\x20-\x7e]*$/.test(value)) throw new UsageError(`${option} must be printable ASCII (it is sent as an HTTP header)`, command);
  return value;
}

export const push: CommandDef = {
  name: 'push',
  summary: "Validate a config file, show the diff, confirm, and make it the environment's new config version.",
  usage: ['push [file] --env ENV [--reason TEXT] [--yes] [--json]'],
  description: [
    'Steps: validate locally (nothing is sent when invalid); read the current version; show the',
    'per-flag diff; confirm for a protected environment; PUT with If-Match of the version diffed.',
    'If someone else wrote in between, nothing is overwritten: run diff again.',
    `The file defaults to ${DEFAULT_CONFIG_FILE}. An unchanged config is not written.`,
  ].join('\n'),
  uses: { target: true, json: true, yes: true },
  options: {
    reason: { type: 'string', valueName: 'TEXT', description: 'why, recorded in the audit log' },
  },
  examples: ['rollgate push --env staging --reason "enable dark mode in staging"', 'rollgate push config/flags.json --env production --yes --reason JIRA-123'],
  async run(ctx) {
    expectPositionals(ctx.positionals, 'push', 0, 1, 'file');
    const file = ctx.positionals[0] ?? DEFAULT_CONFIG_FILE;
    const reason = stringOption(ctx.values, 'reason');
    if (reason !== undefined) checkHeaderText(reason, '--reason', 'push');
    const { environment } = ctx.target();
    const client = ctx.client();
    const { config, warnings } = await loadConfigFor(ctx.io.cwd, file, environment, ctx.out.c);
    for (const l of issueLinesOf(file, [], warnings, ctx.out.e)) ctx.out.note(l);
    const current = await currentConfig(client, environment);
    const changes = diffConfigs(current.document, config);
    if (changes.length === 0) {
      if (ctx.json) ctx.out.json({ environment, file, version: current.version, changed: false, warnings, changes: [] });
      else ctx.out.line(`nothing to push: ${environment} is at version ${current.version} and matches ${file}`);
      return EXIT.ok;
    }
    const header = `${file} → ${environment} (version ${current.version}): ${summarizeChanges(changes)}`;
    if (ctx.json) ctx.out.note(header);
    else {
      ctx.out.line(header);
      ctx.out.lines(formatChanges(changes, ctx.out.c));
    }
    const prot = current.protected || isProtected(config, environment);
    let result: ConfigWriteResult;
    try {
      result = await protectedWrite(ctx.io, { environment, protected: prot, yes: ctx.yes, action: 'push' }, async (confirm) => {
        const res = await client.request<ConfigWriteResult>('PUT', client.envPath(environment, '/flags'), {
          environment,
          body: config,
          headers: { 'if-match': `"${current.version}"`, ...confirm, ...(reason ? { 'x-rollgate-reason': reason } : {}) },
        });
        return res.body;
      });
    } catch (err) {
      if (err instanceof ApiError && err.status === 412) {
        const now = typeof err.body['currentVersion'] === 'number' ? `; it is now version ${err.body['currentVersion']}` : '';
        throw new CliError(
          `the config changed since you diffed (version ${current.version}${now}); nothing was overwritten — run diff again: rollgate diff ${file} --env ${environment}`,
        );
      }
      if (err instanceof ApiError && err.status === 409) {
        throw new CliError(
          `${environment} refused the config: ${err.body.error ?? 'conflict'} — finish or roll back that rollout first (rollgate status --env ${environment})`,
        );
      }
      throw err;
    }
    if (ctx.json) {
      ctx.out.json({ environment, file, version: result.version, changed: result.changed, warnings: result.warnings, changes });
      return EXIT.ok;
    }
    ctx.out.line(
      result.changed
        ? `${ctx.out.c.green('✔')} pushed ${file} to ${environment}: now version ${result.version}`
        : `nothing changed: ${environment} already had this config (version ${result.version})`,
    );
    return EXIT.ok;
  },
};
