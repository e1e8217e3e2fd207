import { expectPositionals, requiredOption } from '../lib/args';
import { CliError, EXIT, UsageError } from '../lib/errors';
import { ApiError } from '../lib/http';
import { readLine } from '../lib/prompt';
import { currentConfig, protectedWrite } from '../lib/protection';
import type { CommandDef } from '../command';

export const keys: CommandDef = {
  name: 'keys',
  summary: 'Issue or revoke client keys of an environment (a new secret is printed once).',
  usage: ['keys issue --env ENV --name NAME [--import] [--yes] [--json]', 'keys revoke --env ENV --name NAME [--yes] [--json]'],
  description: [
    'issue mints a key (rg_<env>_…) and prints it once: store it at once, it cannot be read back.',
    '--import registers a key you already have instead, read from stdin (e.g. one from `rollgate setup`).',
    'revoke removes a key; edges stop accepting it with the next snapshot (seconds).',
  ].join('\n'),
  uses: { target: true, json: true, yes: true },
  options: {
    name: { type: 'string', valueName: 'NAME', description: 'key name: letters, digits, . _ - (e.g. web-frontend)' },
    import: { type: 'boolean', description: 'issue: read the secret from stdin instead of minting one' },
  },
  examples: ['rollgate keys issue --env production --name web-frontend', 'rollgate keys revoke --env production --name web-frontend'],
  async run(ctx) {
    expectPositionals(ctx.positionals, 'keys', 1, 1, 'issue or revoke');
    const verb = ctx.positionals[0];
    if (verb !== 'issue' && verb !== 'revoke') throw new UsageError(`unknown keys action "${verb}": use issue or revoke`, 'keys');
    const name = requiredOption(ctx.values, 'name', 'keys', '(the key name)');
    if (verb === 'revoke' && ctx.values['import']) throw new UsageError('--import only applies to keys issue', 'keys');
    const { environment } = ctx.target();
    const client = ctx.client();
    let secret: string | undefined;
    if (verb === 'issue' && ctx.values['import']) {
      if (ctx.io.stdin.isTTY) ctx.io.stderr.write('paste the key, then Enter: ');
      secret = (await readLine(ctx.io.stdin))?.trim();
      if (!secret) throw new UsageError('--import reads the key from stdin, and stdin was empty', 'keys');
    }
    const { protected: prot } = await currentConfig(client, environment);
    try {
      if (verb === 'issue') {
        const res = await protectedWrite(ctx.io, { environment, protected: prot, yes: ctx.yes, action: 'issue a key' }, async (confirm) =>
          (await client.post<{ name: string; key: string; changed: boolean }>(client.envPath(environment, '/keys'), { name, ...(secret ? { secret } : {}) }, { environment, headers: confirm })).body,
        );
        if (ctx.json) {
          ctx.out.json({ environment, name: res.name, key: secret ? null : res.key, imported: secret !== undefined, changed: res.changed });
          return EXIT.ok;
        }
        const c = ctx.out.c;
        if (secret) {
          ctx.out.line(res.changed ? `${c.green('✔')} imported client key "${name}" into ${environment}` : `nothing changed: "${name}" already holds this key in ${environment}`);
          return EXIT.ok;
        }
        ctx.out.line(`${c.green('✔')} issued client key "${name}" for ${environment}:`);
        ctx.out.line();
        ctx.out.line(`    ${c.bold(res.key)}`);
        ctx.out.line();
        ctx.out.line(c.yellow('Store it now (e.g. in your secret manager): it is shown only this once and cannot be read back.'));
        ctx.out.line(c.dim('Clients send it as `Authorization: Bearer <key>` or `X-API-Key: <key>`; it works at the edge within seconds.'));
        return EXIT.ok;
      }
      await protectedWrite(ctx.io, { environment, protected: prot, yes: ctx.yes, action: 'revoke a key' }, async (confirm) =>
        (await client.request<{ name: string }>('DELETE', client.envPath(environment, `/keys/${encodeURIComponent(name)}`), { environment, headers: confirm })).body,
      );
      if (ctx.json) ctx.out.json({ environment, name, revoked: true });
      else ctx.out.line(`${ctx.out.c.green('✔')} revoked client key "${name}" in ${environment}; edges stop accepting it with the next snapshot (within seconds)`);
      return EXIT.ok;
    } catch (err) {
      if (err instanceof ApiError && err.status === 409) throw new CliError(`${err.body.error ?? 'conflict'} (rollgate keys revoke --env ${environment} --name ${name})`);
      if (err instanceof ApiError && err.status === 404 && verb === 'revoke' && /no key/.test(err.body.error ?? '')) throw new CliError(`${environment} has no client key named "${name}"`);
      throw err;
    }
  },
};
