import { expectPositionals, requiredOption, type Values } from '../lib/args';
import { CliError, EXIT, UsageError } from '../lib/errors';
import { ApiError } from '../lib/http';
import { readLine } from '../lib/prompt';
import { currentConfig, protectedWrite } from '../lib/protection';
import { table } from '../lib/output';
import type { CommandDef } from '../command';
import { didYouMean } from '../lib/suggest';

const SCOPES = ['evaluate', 'report'] as const;
type Scope = (typeof SCOPES)[number];

/** A key as `GET …/keys` lists it. */
interface ListedKey {
  name: string;
  scopes: Scope[];
  createdAt: string;
  createdBy: string;
}

/** The scopes of `--scope` (repeatable, or a comma list); none given → undefined (the server's default, evaluate). */
export function scopesOf(values: Values): Scope[] | undefined {
  const raw = values['scope'];
  if (raw === undefined) return undefined;
  const words = (Array.isArray(raw) ? raw : [raw])
    .flatMap((v) => String(v).split(','))
    .map((w) => w.trim())
    .filter((w) => w !== '');
  const out: Scope[] = [];
  for (const w of words) {
    if (!(SCOPES as readonly string[]).includes(w)) throw new UsageError(`unknown scope "${w}"${didYouMean(w, SCOPES)}: use evaluate, report or both`, 'keys');
    if (!out.includes(w as Scope)) out.push(w as Scope);
  }
  if (out.length === 0) throw new UsageError('--scope needs a value: evaluate, report or both', 'keys');
  return SCOPES.filter((sc) => out.includes(sc));
}

export const keys: CommandDef = {
  name: 'keys',
  summary: 'List, issue or revoke client keys of an environment (a new secret is printed once).',
  usage: [
    'keys list --env ENV [--json]',
    'keys issue --env ENV --name NAME [--scope evaluate|report]... [--import] [--yes] [--json]',
    'keys revoke --env ENV --name NAME [--yes] [--json]',
  ],
  description: [
    "list shows each key's name, scopes and creation; secrets cannot be read back.",
    'issue mints a key (rg_<env>_…) and prints it once: store it at once, it cannot be read back.',
    'Scopes: evaluate (OFREP; safe to ship in a browser, the default) and report (POST /v1/metrics:',
    'health reports that can roll back or promote; keep it server-side). --scope repeats or takes a comma list.',
    '--import registers a key you already have instead, read from stdin (e.g. one from `rollgate setup`).',
    'revoke removes a key; edges stop accepting it with the next snapshot (seconds).',
  ].join('\n'),
  uses: { target: true, json: true, yes: true },
  options: {
    name: { type: 'string', valueName: 'NAME', description: 'key name: letters, digits, . _ - (e.g. web-frontend)' },
    import: { type: 'boolean', description: 'issue: read the secret from stdin instead of minting one' },
    scope: { type: 'string', multiple: true, valueName: 'SCOPE', description: 'issue: evaluate (default) and/or report; repeat or comma-separate' },
  },
  examples: [
    'rollgate keys list --env production',
    'rollgate keys issue --env production --name web-frontend',
    'rollgate keys issue --env production --name checkout-api --scope report',
    'rollgate keys revoke --env production --name web-frontend',
  ],
  async run(ctx) {
    expectPositionals(ctx.positionals, 'keys', 1, 1, 'list, issue or revoke');
    const verb = ctx.positionals[0];
    if (verb !== 'list' && verb !== 'issue' && verb !== 'revoke')
      throw new UsageError(`unknown keys action "${verb}"${didYouMean(verb ?? '', ['list', 'issue', 'revoke'])}: use list, issue or revoke`, 'keys');
    if (verb !== 'issue' && ctx.values['import']) throw new UsageError('--import only applies to keys issue', 'keys');
    if (verb !== 'issue' && ctx.values['scope'] !== undefined) throw new UsageError('--scope only applies to keys issue', 'keys');
    if (verb === 'list') {
      const { environment } = ctx.target();
      const client = ctx.client();
      const { keys: listed } = (await client.get<{ keys: ListedKey[] }>(client.envPath(environment, '/keys'), { environment })).body;
      if (ctx.json) {
        ctx.out.json({ environment, keys: listed });
        return EXIT.ok;
      }
      if (listed.length === 0) {
        ctx.out.line(`no client keys in ${environment} (rollgate keys issue --env ${environment} --name NAME)`);
        return EXIT.ok;
      }
      const c = ctx.out.c;
      ctx.out.lines(
        table([
          [c.dim('NAME'), c.dim('SCOPES'), c.dim('CREATED'), c.dim('BY')],
          ...listed.map((k) => [k.name, k.scopes.includes('report') ? c.yellow(k.scopes.join(',')) : k.scopes.join(','), k.createdAt, k.createdBy]),
        ]),
      );
      return EXIT.ok;
    }
    const name = requiredOption(ctx.values, 'name', 'keys', '(the key name)');
    const scopes = verb === 'issue' ? scopesOf(ctx.values) : undefined;
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
        const res = await protectedWrite(
          ctx.io,
          { environment, protected: prot, yes: ctx.yes, action: 'issue a key' },
          async (confirm) =>
            (
              await client.post<{ name: string; key: string; scopes: Scope[]; changed: boolean }>(
                client.envPath(environment, '/keys'),
                { name, ...(secret ? { secret } : {}), ...(scopes ? { scopes } : {}) },
                { environment, headers: confirm },
              )
            ).body,
        );
        if (ctx.json) {
          ctx.out.json({ environment, name: res.name, scopes: res.scopes, key: secret ? null : res.key, imported: secret !== undefined, changed: res.changed });
          return EXIT.ok;
        }
        const c = ctx.out.c;
        const scopeText = `scopes ${res.scopes.join(', ')}`;
        if (secret) {
          ctx.out.line(
            res.changed
              ? `${c.green('✔')} imported client key "${name}" (${scopeText}) into ${environment}`
              : `nothing changed: "${name}" already holds this key (${scopeText}) in ${environment}`,
          );
          return EXIT.ok;
        }
        ctx.out.line(`${c.green('✔')} issued client key "${name}" (${scopeText}) for ${environment}:`);
        ctx.out.line();
        ctx.out.line(`    ${c.bold(res.key)}`);
        ctx.out.line();
        ctx.out.line(c.yellow('Store it now (e.g. in your secret manager): it is shown only this once and cannot be read back.'));
        if (res.scopes.includes('report'))
          ctx.out.line(c.yellow('It can report health (and so trigger rollbacks and promotions): keep it server-side, never in a browser bundle.'));
        ctx.out.line(c.dim('Clients send it as `Authorization: Bearer <key>` or `X-API-Key: <key>`; it works at the edge within seconds.'));
        return EXIT.ok;
      }
      await protectedWrite(
        ctx.io,
        { environment, protected: prot, yes: ctx.yes, action: 'revoke a key' },
        async (confirm) =>
          (
            await client.request<{ name: string }>('DELETE', client.envPath(environment, `/keys/${encodeURIComponent(name)}`), {
              environment,
              headers: confirm,
            })
          ).body,
      );
      if (ctx.json) ctx.out.json({ environment, name, revoked: true });
      else
        ctx.out.line(`${ctx.out.c.green('✔')} revoked client key "${name}" in ${environment}; edges stop accepting it with the next snapshot (within seconds)`);
      return EXIT.ok;
    } catch (err) {
      if (err instanceof ApiError && err.status === 409)
        throw new CliError(`${err.body.error ?? 'conflict'} (rollgate keys revoke --env ${environment} --name ${name})`);
      if (err instanceof ApiError && verb === 'revoke' && err.body.code === 'key_not_found')
        throw new CliError(`${environment} has no client key named "${name}"`);
      throw err;
    }
  },
};
