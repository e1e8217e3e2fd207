import type { ConfigWriteResult } from '../lib/api';
import { expectPositionals, numberOption, stringOption } from '../lib/args';
import { CliError, EXIT, UsageError } from '../lib/errors';
import { ApiError } from '../lib/http';
import { currentConfig, protectedWrite } from '../lib/protection';
import type { CommandDef } from '../command';

export const revert: CommandDef = {
  name: 'revert',
  summary: 'Restore an earlier config version of an environment (as a new version).',
  usage: ['revert --env ENV --to VERSION [--reason TEXT] [--yes] [--json]'],
  description: [
    'The old document becomes the next version; nothing is deleted, so a revert can itself be reverted.',
    'Find versions with `rollgate audit --env ENV --action config.put`. Active rollouts still apply; a',
    'version that drops a flag or variant an active rollout uses is refused (409).',
  ].join('\n'),
  uses: { target: true, json: true, yes: true },
  options: {
    to: { type: 'string', valueName: 'VERSION', description: 'the config version to restore' },
    reason: { type: 'string', valueName: 'TEXT', description: 'why, recorded in the audit log' },
  },
  examples: ['rollgate revert --env production --to 41 --reason "banner broke checkout"'],
  async run(ctx) {
    expectPositionals(ctx.positionals, 'revert', 0, 0, '');
    const version = numberOption(ctx.values, 'to', 'revert', { min: 1, integer: true });
    if (version === undefined) throw new UsageError('missing --to VERSION (the config version to restore)', 'revert');
    const reason = stringOption(ctx.values, 'reason');
    const { environment } = ctx.target();
    const client = ctx.client();
    const current = await currentConfig(client, environment);
    if (!ctx.json) ctx.out.line(`${environment} is at config version ${current.version}; restoring version ${version} as a new version`);
    let result: ConfigWriteResult;
    try {
      result = await protectedWrite(ctx.io, { environment, protected: current.protected, yes: ctx.yes, action: 'revert' }, async (confirm) => {
        const res = await client.post<ConfigWriteResult>(
          client.envPath(environment, '/flags/revert'),
          { version, ...(reason ? { reason } : {}) },
          { environment, headers: confirm },
        );
        return res.body;
      });
    } catch (err) {
      if (err instanceof ApiError && err.body.code === 'config_version_not_found') {
        throw new CliError(
          `${environment} has no config version ${version} (latest is ${current.version}) — list versions with \`rollgate audit --env ${environment} --action config.put\``,
        );
      }
      if (err instanceof ApiError && err.status === 409) {
        throw new CliError(`${environment} refused version ${version}: ${err.body.error ?? 'conflict'} — finish or roll back that rollout first`);
      }
      throw err;
    }
    if (ctx.json) {
      ctx.out.json({ environment, revertedTo: version, version: result.version, changed: result.changed });
      return EXIT.ok;
    }
    ctx.out.line(
      result.changed
        ? `${ctx.out.c.green('✔')} ${environment} now serves the config of version ${version}, as version ${result.version}`
        : `nothing changed: the config of version ${version} is already live (version ${result.version})`,
    );
    return EXIT.ok;
  },
};
