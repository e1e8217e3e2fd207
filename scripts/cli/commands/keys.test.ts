import { describe, expect, it } from 'vitest';
import { CONFIG, fakeFetch, routes, runCli } from '../../../test/helpers/cli';

const flags = (env: string) => ({
  [`GET /admin/v1/environments/${env}/flags`]: { json: { version: 4, document: CONFIG, updatedAt: 'x', actor: 'dev' }, headers: { etag: '"4"' } },
});

describe('keys', () => {
  it('issue prints the secret once with a warning to store it; no --scope sends none (evaluate by default)', async () => {
    const { fetch, calls } = fakeFetch(
      routes({
        ...flags('staging'),
        'POST /admin/v1/environments/staging/keys': { status: 201, json: { name: 'web', key: 'rg_staging_SECRET', scopes: ['evaluate'], changed: true } },
      }),
    );
    const r = await runCli(['keys', 'issue', '--env', 'staging', '--name', 'web'], { fetch });
    expect(r.code).toBe(0);
    expect(r.stdout.match(/rg_staging_SECRET/g)).toHaveLength(1);
    expect(r.stdout).toContain('shown only this once');
    expect(r.stdout).toContain('(scopes evaluate)');
    expect(r.stdout).not.toContain('server-side');
    expect(calls.find((c) => c.method === 'POST')!.body).toEqual({ name: 'web' });
  });

  it.each([
    [['--scope', 'report'], ['report']],
    [
      ['--scope', 'report,evaluate'],
      ['evaluate', 'report'],
    ],
    [
      ['--scope', 'report', '--scope', 'evaluate', '--scope', 'report'],
      ['evaluate', 'report'],
    ],
  ])('issue %j sends scopes %j and warns to keep a report key server-side', async (args, scopes) => {
    const { fetch, calls } = fakeFetch(
      routes({
        ...flags('staging'),
        'POST /admin/v1/environments/staging/keys': (req) => ({
          status: 201,
          json: { name: 'api', key: 'rg_staging_R', scopes: (req.body as { scopes: string[] }).scopes, changed: true },
        }),
      }),
    );
    const r = await runCli(['keys', 'issue', '--env', 'staging', '--name', 'api', ...args, '--json'], { fetch });
    expect(r.code).toBe(0);
    expect(calls.find((c) => c.method === 'POST')!.body).toEqual({ name: 'api', scopes });
    expect(JSON.parse(r.stdout)).toEqual({ environment: 'staging', name: 'api', scopes, key: 'rg_staging_R', imported: false, changed: true });
    const human = await runCli(['keys', 'issue', '--env', 'staging', '--name', 'api', ...args], { fetch });
    expect(human.stdout).toContain('keep it server-side');
  });

  it('issue with an unknown or empty --scope is a usage error; nothing sent', async () => {
    const { fetch, calls } = fakeFetch(routes(flags('staging')));
    for (const bad of ['admin', ',', 'report,admin']) {
      const r = await runCli(['keys', 'issue', '--env', 'staging', '--name', 'api', '--scope', bad], { fetch });
      expect(r.code).toBe(2);
    }
    const onRevoke = await runCli(['keys', 'revoke', '--env', 'staging', '--name', 'api', '--scope', 'report'], { fetch });
    expect(onRevoke.code).toBe(2);
    expect(calls).toEqual([]);
  });

  it('list prints names, scopes and creation; --json gives {environment, keys}', async () => {
    const keys = [
      { name: 'dev', scopes: ['evaluate'], createdAt: '2026-11-27T12:00:00.000Z', createdBy: 'dev' },
      { name: 'dev-report', scopes: ['report'], createdAt: '2026-11-27T12:00:01.000Z', createdBy: 'dev' },
    ];
    const { fetch, calls } = fakeFetch(routes({ 'GET /admin/v1/environments/staging/keys': { json: { keys } } }));
    const r = await runCli(['keys', 'list', '--env', 'staging'], { fetch });
    expect(r.code).toBe(0);
    const lines = r.stdout.trimEnd().split('\n');
    expect(lines).toHaveLength(3);
    expect(lines[0]).toMatch(/^NAME +SCOPES +CREATED +BY$/);
    expect(lines[2]).toMatch(/^dev-report +report +2026-11-27T12:00:01.000Z +dev$/);
    const json = await runCli(['keys', 'list', '--env', 'staging', '--json'], { fetch });
    expect(JSON.parse(json.stdout)).toEqual({ environment: 'staging', keys });
    expect(calls.every((c) => c.method === 'GET')).toBe(true);
  });

  it('list of an environment without keys says how to issue one', async () => {
    const { fetch } = fakeFetch(routes({ 'GET /admin/v1/environments/staging/keys': { json: { keys: [] } } }));
    const r = await runCli(['keys', 'list', '--env', 'staging'], { fetch });
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('no client keys in staging');
  });

  it('issue --import sends the secret from stdin and never prints it', async () => {
    const { fetch, calls } = fakeFetch(
      routes({
        ...flags('production'),
        'POST /admin/v1/environments/production/keys': { status: 201, json: { name: 'fb', key: 'rg_production_given', scopes: ['evaluate'], changed: true } },
      }),
    );
    const r = await runCli(['keys', 'issue', '--env', 'production', '--name', 'fb', '--import', '--yes', '--json'], { fetch, stdin: 'rg_production_given\n' });
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual({ environment: 'production', name: 'fb', scopes: ['evaluate'], key: null, imported: true, changed: true });
    const post = calls.find((c) => c.method === 'POST')!;
    expect(post.body).toEqual({ name: 'fb', secret: 'rg_production_given' });
    expect(post.headers.get('x-rollgate-confirm')).toBe('production');
  });

  it('revoke in production asks first; no TTY → refused, nothing sent', async () => {
    const { fetch, calls } = fakeFetch(routes({ ...flags('production'), 'DELETE /admin/v1/environments/production/keys/web': { json: { name: 'web' } } }));
    const refused = await runCli(['keys', 'revoke', '--env', 'production', '--name', 'web'], { fetch });
    expect(refused.code).toBe(1);
    expect(calls.some((c) => c.method === 'DELETE')).toBe(false);
    const ok = await runCli(['keys', 'revoke', '--env', 'production', '--name', 'web'], { fetch, stdin: 'yes\n', stdinTTY: true });
    expect(ok.code).toBe(0);
    expect(ok.stdout).toContain('revoked client key "web" in production');
  });

  it('revoke of an unknown key', async () => {
    const { fetch } = fakeFetch(
      routes({
        ...flags('staging'),
        'DELETE /admin/v1/environments/staging/keys/nope': { status: 404, json: { error: 'no key named "nope" in staging', code: 'key_not_found' } },
      }),
    );
    const r = await runCli(['keys', 'revoke', '--env', 'staging', '--name', 'nope'], { fetch });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('staging has no client key named "nope"');
  });
});

describe('revert', () => {
  it('posts the version and reason, confirmed in production', async () => {
    const { fetch, calls } = fakeFetch(
      routes({ ...flags('production'), 'POST /admin/v1/environments/production/flags/revert': { json: { version: 5, changed: true, warnings: [] } } }),
    );
    const r = await runCli(['revert', '--env', 'production', '--to', '2', '--reason', 'bad banner', '--yes'], { fetch });
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('production now serves the config of version 2, as version 5');
    const post = calls.find((c) => c.method === 'POST')!;
    expect(post.body).toEqual({ version: 2, reason: 'bad banner' });
    expect(post.headers.get('x-rollgate-confirm')).toBe('production');
  });

  it('an unknown version says where to find versions', async () => {
    const { fetch } = fakeFetch(
      routes({
        ...flags('staging'),
        'POST /admin/v1/environments/staging/flags/revert': {
          status: 404,
          json: { error: 'no config version 99 in staging', code: 'config_version_not_found' },
        },
      }),
    );
    const r = await runCli(['revert', '--env', 'staging', '--to', '99'], { fetch });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('staging has no config version 99 (latest is 4)');
  });
});
