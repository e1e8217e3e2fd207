import { createServer } from 'node:net';
import { describe, expect, it } from 'vitest';
import { fakeFetch, routes, runCli } from '../../../test/helpers/cli';
import { AdminClient, ApiError } from './http';
import { resolveTarget } from './target';

/** A loopback port nothing listens on. */
async function closedPort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });
}

describe('error messages', () => {
  it('connection refused (real socket): says where and suggests npm start', async () => {
    const port = await closedPort();
    const r = await runCli(['status', '--url', `http://127.0.0.1:${port}`], { fetch: globalThis.fetch });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`no Rollgate at http://127.0.0.1:${port} — is \`npm start\` running?`);
  });

  it('connection refused at the default URL', async () => {
    const refused = (async () => {
      throw new TypeError('fetch failed', { cause: Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:8787'), { code: 'ECONNREFUSED' }) });
    }) as typeof fetch;
    const r = await runCli(['status'], { fetch: refused });
    expect(r.stderr).toContain('no Rollgate at http://127.0.0.1:8787 — is `npm start` running?');
    expect(r.code).toBe(1);
  });

  it('connection refused on a remote URL points at --url instead', async () => {
    const refused = (async () => {
      throw new TypeError('fetch failed', { cause: new AggregateError([Object.assign(new Error('x'), { code: 'ECONNREFUSED' })]) });
    }) as typeof fetch;
    const r = await runCli(['status', '--url', 'https://flags.example.com', '--token', 't'], { fetch: refused });
    expect(r.stderr).toContain('no Rollgate at https://flags.example.com (connection refused) — check --url / ROLLGATE_URL');
  });

  it.each([
    [['--token', 'wrong-token-value'], {}, 'the admin token given with --token', 'check the value of --token'],
    [[], { ROLLGATE_TOKEN: 'wrong-token-value' }, 'the admin token in ROLLGATE_TOKEN', 'check ROLLGATE_TOKEN'],
    [[], {}, 'the default local development token', 'pass a token with --token or set ROLLGATE_TOKEN'],
  ])('401 names the token source %j %j, never its value', async (args, env, source, fix) => {
    const { fetch } = fakeFetch(() => ({ status: 401, json: { error: 'the admin token is not valid' } }));
    const r = await runCli(['audit', '--env', 'staging', ...args], { fetch, env });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('401 Unauthorized for environment "staging"');
    expect(r.stderr).toContain(source);
    expect(r.stderr).toContain(fix);
    expect(r.stderr).not.toContain('wrong-token-value');
    expect(r.stderr).not.toContain('dev-admin-token');
  });

  it('403 names the token source, the environment and what the API said', async () => {
    const { fetch } = fakeFetch(() => ({ status: 403, json: { error: 'token "ci" is a viewer; this needs operator' } }));
    const r = await runCli(['rollback', 'new-checkout', '--env', 'production', '--reason', 'x'], { fetch, env: { ROLLGATE_TOKEN: 'ci-secret' } });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(
      '403 Forbidden for environment "production": the admin token in ROLLGATE_TOKEN is not allowed to do this (token "ci" is a viewer; this needs operator)',
    );
    expect(r.stderr).not.toContain('ci-secret');
  });

  it('422 lists every error with its path', async () => {
    const { fetch } = fakeFetch(
      routes({
        'GET /admin/v1/environments/staging/flags': { status: 404, json: { error: 'no config has been written to staging yet', code: 'config_not_found' } },
        'POST /admin/v1/environments/staging/rollouts': {
          status: 422,
          json: {
            error: 'the rollout request is invalid',
            errors: [
              { path: '/variant', message: 'known: on, off' },
              { path: '/stages/1/percent', message: 'too big' },
            ],
          },
        },
      }),
    );
    const r = await runCli(['deploy', 'new-checkout', '--variant', 'onn', '--strategy', 'safe', '--env', 'staging'], { fetch });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('422 the rollout request is invalid:');
    expect(r.stderr).toContain('error   /variant: known: on, off');
    expect(r.stderr).toContain('error   /stages/1/percent: too big');
  });

  it('5xx says to retry and where to look', async () => {
    const { fetch } = fakeFetch(() => ({ status: 500, json: { errorDetails: 'internal error' } }));
    const r = await runCli(['status'], { fetch });
    expect(r.stderr).toContain('Rollgate answered 500: internal error — try again');
  });

  it('AdminClient returns accepted non-2xx answers and throws ApiError for the rest', async () => {
    const { fetch, calls } = fakeFetch(() => ({ status: 503, json: { status: 'degraded' } }));
    const client = new AdminClient(resolveTarget({}, {}), fetch);
    await expect(client.get('/health', { auth: false, accept: [503] })).resolves.toMatchObject({ status: 503, body: { status: 'degraded' } });
    expect(calls[0]!.headers.get('authorization')).toBeNull();
    await expect(client.get('/admin/v1/environments')).rejects.toBeInstanceOf(ApiError);
    expect(calls[1]!.headers.get('authorization')).toBe('Bearer dev-admin-token');
  });
});
