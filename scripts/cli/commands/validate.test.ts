/** `rollgate validate`: offline, with the Worker's own validation; its --json shape is in docs/RUNBOOK.md. */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { tempDirForTests } from '../../../test/helpers/temp-dir';
import { CONFIG, runCli } from '../../../test/helpers/cli';

describe('validate', () => {
  const dir = tempDirForTests('rollgate-validate-');

  it('--json: valid file', async () => {
    const f = join(dir, 'ok.json');
    writeFileSync(f, JSON.stringify(CONFIG));
    const r = await runCli(['validate', f, '--json']);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual({
      file: f,
      valid: true,
      errors: [],
      warnings: [],
      flags: 1,
      environments: [
        { name: 'development', protected: false },
        { name: 'staging', protected: false },
        { name: 'production', protected: true },
      ],
    });
  });

  it('errors with their JSON paths, exit 1', async () => {
    const f = join(dir, 'bad.json');
    writeFileSync(f, JSON.stringify({ flags: { a: { state: 'ENABLED', variants: { on: true, n: 1 }, defaultVariant: 'off' } }, bogus: 1 }));
    const r = await runCli(['validate', f]);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain(`error   ${f}#/bogus: unknown key: bogus`);
    const json = JSON.parse((await runCli(['validate', f, '--json'])).stdout);
    expect(json.valid).toBe(false);
    expect(json.errors).toContainEqual({ path: '/bogus', message: 'unknown key: bogus' });
  });

  it("reports a schema error and another flag's semantic error in one run", async () => {
    const f = join(dir, 'both.json');
    const variants = { on: true, off: false };
    writeFileSync(
      f,
      JSON.stringify({
        flags: { typo: { state: 'ENABLED', variants, defaultVarient: 'on' }, wrong: { state: 'ENABLED', variants, defaultVariant: 'onn' } },
      }),
    );
    const r = await runCli(['validate', f]);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain(`error   ${f}#/flags/typo/defaultVarient: unknown key: defaultVarient`);
    expect(r.stdout).toMatch(new RegExp(`error {3}${f.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}#/flags/wrong/defaultVariant: .*"onn"`));
    expect(r.stdout).toContain(`${f}: 2 errors`);
  });

  it('a missing file is an error at "/"', async () => {
    const r = await runCli(['validate', join(dir, 'nope.json')]);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/#\/: cannot read/);
  });
});
