import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { tempDirForTests } from '../../../test/helpers/temp-dir';
import { CONFIG, fakeFetch, type FakeAnswer, routes, runCli, type SeenRequest } from '../../../test/helpers/cli';

const dir = tempDirForTests('rollgate-cli-push-');
const file = join(dir, 'flags.json');
const changed = structuredClone(CONFIG) as typeof CONFIG & { flags: Record<string, unknown> };
changed.flags['new-checkout'] = { state: 'ENABLED', variants: { on: true, off: false }, defaultVariant: 'on' };
changed.flags['dark-mode'] = { state: 'ENABLED', variants: { on: true, off: false }, defaultVariant: 'off' };
writeFileSync(file, JSON.stringify(changed));
const invalid = join(dir, 'invalid.json');
writeFileSync(invalid, JSON.stringify({ flags: { x: { state: 'ENABLED', variants: { a: 1 }, defaultVariant: 'b' } } }));

/** A fake environment at `version` holding CONFIG; PUT answers `put`. */
function api(env: string, put: (req: SeenRequest) => FakeAnswer, document: unknown = CONFIG, version = 7) {
  return fakeFetch(
    routes({
      [`GET /admin/v1/environments/${env}/flags`]: {
        json: { version, document, updatedAt: '2026-11-27T09:00:00.000Z', actor: 'dev' },
        headers: { etag: `"${version}"` },
      },
      [`PUT /admin/v1/environments/${env}/flags`]: put,
    }),
  );
}

const ok = (): FakeAnswer => ({ json: { version: 8, changed: true, warnings: [] } });

describe('push', () => {
  it('shows the per-flag diff and PUTs with If-Match of the version diffed', async () => {
    const { fetch, calls } = api('staging', ok);
    const r = await runCli(['push', file, '--env', 'staging', '--reason', 'enable checkout'], { fetch });
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('(version 7): 1 added, 1 changed, 0 removed');
    expect(r.stdout).toContain('~ flag new-checkout (changed)');
    expect(r.stdout).toContain('/defaultVariant: "off" → "on"');
    expect(r.stdout).toContain('+ flag dark-mode (added)');
    expect(r.stdout).toContain('now version 8');
    const put = calls.find((c) => c.method === 'PUT')!;
    expect(put.headers.get('if-match')).toBe('"7"');
    expect(put.headers.get('x-rollgate-reason')).toBe('enable checkout');
    expect(put.headers.get('x-rollgate-confirm')).toBeNull();
    expect(put.body).toEqual(changed);
  });

  it('a concurrent change (412): a clear error, nothing overwritten', async () => {
    const { fetch } = api('staging', () => ({
      status: 412,
      json: { error: 'the config changed since version 7; the current version is 9', currentVersion: 9 },
    }));
    const r = await runCli(['push', file, '--env', 'staging'], { fetch });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(
      `the config changed since you diffed (version 7; it is now version 9); nothing was overwritten — run diff again: rollgate diff ${file} --env staging`,
    );
  });

  it('an unchanged config is not written', async () => {
    const file2 = join(dir, 'same.json');
    writeFileSync(file2, JSON.stringify(CONFIG));
    const { fetch, calls } = api('staging', ok);
    const r = await runCli(['push', file2, '--env', 'staging'], { fetch });
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('nothing to push: staging is at version 7');
    expect(calls.some((c) => c.method === 'PUT')).toBe(false);
  });

  it('an invalid file: every error with its path, nothing sent', async () => {
    const { fetch, calls } = api('staging', ok);
    const r = await runCli(['push', invalid, '--env', 'staging'], { fetch });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`${invalid}#/flags/x/defaultVariant: default variant "b" is not one of: a`);
    expect(calls).toHaveLength(0);
  });

  describe('to a protected environment', () => {
    it('typed yes: asks, then PUTs with X-Rollgate-Confirm', async () => {
      const { fetch, calls } = api('production', ok);
      const r = await runCli(['push', file, '--env', 'production'], { fetch, stdin: 'yes\n', stdinTTY: true });
      expect(r.code).toBe(0);
      expect(r.stderr).toContain("Are you sure you want to deploy to PRODUCTION? (type 'yes' to confirm)");
      expect(calls.find((c) => c.method === 'PUT')!.headers.get('x-rollgate-confirm')).toBe('production');
    });

    it('typed no: exit 1, nothing sent', async () => {
      const { fetch, calls } = api('production', ok);
      const r = await runCli(['push', file, '--env', 'production'], { fetch, stdin: 'no\n', stdinTTY: true });
      expect(r.code).toBe(1);
      expect(r.stderr).toContain('aborted');
      expect(calls.some((c) => c.method === 'PUT')).toBe(false);
    });

    it('no TTY: refuses, exit 1, nothing sent', async () => {
      const { fetch, calls } = api('production', ok);
      const r = await runCli(['push', file, '--env', 'production'], { fetch, stdin: 'yes\n', stdinTTY: false });
      expect(r.code).toBe(1);
      expect(r.stderr).toContain('pass --yes');
      expect(calls.some((c) => c.method === 'PUT')).toBe(false);
    });

    it('--yes: no question, confirmed', async () => {
      const { fetch, calls } = api('production', ok);
      const r = await runCli(['push', file, '--env', 'production', '--yes'], { fetch });
      expect(r.code).toBe(0);
      expect(r.stderr).not.toContain('Are you sure');
      expect(calls.find((c) => c.method === 'PUT')!.headers.get('x-rollgate-confirm')).toBe('production');
    });

    it('an environment the document marks protected is asked about too', async () => {
      const doc = { ...CONFIG, environments: ['development', { name: 'staging', protected: true }, 'production'] };
      const { fetch } = api('staging', ok, doc);
      const r = await runCli(['push', file, '--env', 'staging'], { fetch, stdinTTY: false });
      expect(r.code).toBe(1);
      expect(r.stderr).toContain('"staging" is protected');
    });

    it('a 428 from the API is treated as protected: ask, then retry once confirmed', async () => {
      const doc = { ...CONFIG, environments: ['development', 'staging', { name: 'production', protected: false }] };
      const f = join(dir, 'unprotected.json');
      writeFileSync(f, JSON.stringify({ ...changed, environments: doc.environments }));
      const { fetch, calls } = api(
        'production',
        (req) => (req.headers.get('x-rollgate-confirm') === 'production' ? ok() : { status: 428, json: { error: '"production" is protected' } }),
        doc,
      );
      const r = await runCli(['push', f, '--env', 'production'], { fetch, stdin: 'yes\n', stdinTTY: true });
      expect(r.code).toBe(0);
      const puts = calls.filter((c) => c.method === 'PUT');
      expect(puts).toHaveLength(2);
      expect(puts[1]!.headers.get('x-rollgate-confirm')).toBe('production');
    });
  });

  it('diff --json: the changes against the live version', async () => {
    const { fetch } = api('staging', ok);
    const r = await runCli(['diff', file, '--env', 'staging', '--json'], { fetch });
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout) as { environment: string; currentVersion: number; protected: boolean; changes: { target: string; change: string }[] };
    expect(out).toMatchObject({ environment: 'staging', currentVersion: 7, protected: false });
    expect(out.changes.map((c) => [c.target, c.change])).toEqual([
      ['new-checkout', 'changed'],
      ['dark-mode', 'added'],
    ]);
  });

  it('diff against an environment with no config yet shows everything as added', async () => {
    const { fetch } = fakeFetch(
      routes({
        'GET /admin/v1/environments/staging/flags': { status: 404, json: { error: 'no config has been written to staging yet', code: 'config_not_found' } },
      }),
    );
    const r = await runCli(['diff', file, '--env', 'staging'], { fetch });
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('(no config yet): 3 added');
    expect(r.stdout).toContain('+ flag dark-mode (added)');
  });
});
