import { describe, expect, it } from 'vitest';
import { CONFIG, fakeFetch, routes, runCli } from '../test-support';

const flags = (env: string) => ({ [`GET /admin/v1/environments/${env}/flags`]: { json: { version: 4, document: CONFIG, updatedAt: 'x', actor: 'dev' }, headers: { etag: '"4"' } } });

describe('keys', () => {
  it('issue prints the secret once with a warning to store it', async () => {
    const { fetch, calls } = fakeFetch(routes({ ...flags('staging'), 'POST /admin/v1/environments/staging/keys': { status: 201, json: { name: 'web', key: 'rg_staging_SECRET', changed: true } } }));
    const r = await runCli(['keys', 'issue', '--env', 'staging', '--name', 'web'], { fetch });
    expect(r.code).toBe(0);
    expect(r.stdout.match(/rg_staging_SECRET/g)).toHaveLength(1);
    expect(r.stdout).toContain('shown only this once');
    expect(calls.find((c) => c.method === 'POST')!.body).toEqual({ name: 'web' });
  });

  it('issue --import sends the secret from stdin and never prints it', async () => {
    const { fetch, calls } = fakeFetch(routes({ ...flags('production'), 'POST /admin/v1/environments/production/keys': { status: 201, json: { name: 'fb', key: 'rg_production_given', changed: true } } }));
    const r = await runCli(['keys', 'issue', '--env', 'production', '--name', 'fb', '--import', '--yes', '--json'], { fetch, stdin: 'rg_production_given\n' });
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual({ environment: 'production', name: 'fb', key: null, imported: true, changed: true });
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
    const { fetch } = fakeFetch(routes({ ...flags('staging'), 'DELETE /admin/v1/environments/staging/keys/nope': { status: 404, json: { error: 'no key named "nope" in staging' } } }));
    const r = await runCli(['keys', 'revoke', '--env', 'staging', '--name', 'nope'], { fetch });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('staging has no client key named "nope"');
  });
});

describe('revert', () => {
  it('posts the version and reason, confirmed in production', async () => {
    const { fetch, calls } = fakeFetch(routes({ ...flags('production'), 'POST /admin/v1/environments/production/flags/revert': { json: { version: 5, changed: true, warnings: [] } } }));
    const r = await runCli(['revert', '--env', 'production', '--to', '2', '--reason', 'bad banner', '--yes'], { fetch });
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('production now serves the config of version 2, as version 5');
    const post = calls.find((c) => c.method === 'POST')!;
    expect(post.body).toEqual({ version: 2, reason: 'bad banner' });
    expect(post.headers.get('x-rollgate-confirm')).toBe('production');
  });

  it('an unknown version says where to find versions', async () => {
    const { fetch } = fakeFetch(routes({ ...flags('staging'), 'POST /admin/v1/environments/staging/flags/revert': { status: 404, json: { error: 'no config version 99 in staging' } } }));
    const r = await runCli(['revert', '--env', 'staging', '--to', '99'], { fetch });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('staging has no config version 99 (latest is 4)');
  });
});
