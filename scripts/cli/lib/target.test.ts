import { describe, expect, it } from 'vitest';
import { runCli } from '../../../test/helpers/cli';
import { describeTokenSource, isLoopback, resolveTarget } from './target';

describe('resolveTarget', () => {
  it('defaults to npm start: loopback URL, dev token, development', () => {
    const t = resolveTarget({}, {});
    expect(t).toMatchObject({
      url: 'http://127.0.0.1:8787',
      urlSource: 'default',
      token: 'dev-admin-token',
      tokenSource: 'default',
      environment: 'development',
      environmentSource: 'default',
    });
  });

  it('reads ROLLGATE_URL, ROLLGATE_TOKEN and ROLLGATE_ENV', () => {
    const t = resolveTarget({}, { ROLLGATE_URL: 'https://flags.example.com/', ROLLGATE_TOKEN: 'secret-1', ROLLGATE_ENV: 'staging' });
    expect(t).toMatchObject({
      url: 'https://flags.example.com',
      urlSource: 'env',
      token: 'secret-1',
      tokenSource: 'env',
      environment: 'staging',
      environmentSource: 'env',
    });
  });

  it('prefers options over environment variables; empty variables count as unset', () => {
    const t = resolveTarget(
      { url: 'http://localhost:9000', token: 'from-flag', env: 'production' },
      { ROLLGATE_URL: 'https://x.example', ROLLGATE_TOKEN: 'from-env', ROLLGATE_ENV: '' },
    );
    expect(t).toMatchObject({
      url: 'http://localhost:9000',
      urlSource: 'flag',
      token: 'from-flag',
      tokenSource: 'flag',
      environment: 'production',
      environmentSource: 'flag',
    });
    expect(resolveTarget({}, { ROLLGATE_ENV: '' }).environmentSource).toBe('default');
  });

  it('uses the development token only for loopback URLs', () => {
    for (const url of ['http://127.0.0.1:8787', 'http://localhost:1234', 'http://[::1]:8787', 'http://127.10.0.3']) {
      expect(resolveTarget({ url }, {}).token, url).toBe('dev-admin-token');
    }
    for (const url of ['https://rollgate.example.workers.dev', 'http://10.0.0.5:8787', 'http://127.0.0.1.nip.io']) {
      const t = resolveTarget({ url }, {});
      expect(t.token, url).toBeNull();
      expect(t.tokenSource).toBeNull();
    }
  });

  it('rejects a bad URL or environment name as a usage error', () => {
    expect(() => resolveTarget({ url: 'not a url' }, {})).toThrow(/--url is not a URL/);
    expect(() => resolveTarget({}, { ROLLGATE_URL: 'ftp://x' })).toThrow(/ROLLGATE_URL must be an http/);
    expect(() => resolveTarget({ env: 'Prod!' }, {})).toThrow(/not an environment name/);
  });

  it('isLoopback', () => {
    expect(isLoopback(new URL('http://127.0.0.1'))).toBe(true);
    expect(isLoopback(new URL('http://example.com'))).toBe(false);
  });

  it('names a token by its source, never by its value', () => {
    expect(describeTokenSource('flag')).toContain('--token');
    expect(describeTokenSource('env')).toContain('ROLLGATE_TOKEN');
    expect(describeTokenSource('default')).toContain('default local development token');
    expect(describeTokenSource('default')).not.toContain('dev-admin-token');
  });

  it('refuses to talk to a non-loopback URL without a token (exit 2), sending nothing', async () => {
    let called = false;
    const r = await runCli(['status', '--url', 'https://rollgate.example.com'], {
      fetch: async () => {
        called = true;
        return new Response('{}');
      },
    });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('no admin token for https://rollgate.example.com');
    expect(called).toBe(false);
  });
});
