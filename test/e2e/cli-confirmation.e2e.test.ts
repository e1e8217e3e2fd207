/**
 * End to end, protected production's confirmations, with the real `rollgate` CLI against a real
 * local Worker (one Worker for the whole file; its tests run in order):
 *
 * - `push` as an operator runs it at a terminal: the CLI gets a pseudo-terminal (util-linux
 *   `script`), asks "Are you sure…", and the test types the answer. The 412 race uses that same
 *   pause: between the diff and the operator's "yes", someone else writes production through the
 *   admin API, so the CLI's PUT (If-Match of the version it diffed) must fail and overwrite nothing.
 * - the confirmation rule: deploy, promote, resume, keys issue and revoke are 428 without
 *   X-Rollgate-Confirm at the API and confirmed by the CLI; pause and rollback need nothing.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RollgateConfig } from '../../src/core/schema/config';
import { ADMIN, configFile, editedConfig, liveConfig, type LocalWorker, requireScript, rollgate, rollgateTty, startWorker } from './cli-support';

const QUESTION = "Are you sure you want to deploy to PRODUCTION? (type 'yes' to confirm)";

let w: LocalWorker;

beforeAll(async () => {
  requireScript();
  w = await startWorker('cli-confirmation');
});

afterAll(() => w?.stop());

type Flags = Record<string, { defaultVariant?: string }>;
const flagsOf = (doc: RollgateConfig) => doc.flags as unknown as Flags;

describe('push to production: the confirmation prompt', () => {
  it('without a TTY (and without --yes) it refuses, after showing the diff, and nothing changes', async () => {
    const file = configFile(
      w,
      'dark-on.json',
      editedConfig(w.config, (d) => (d.flags['dark-mode']!['defaultVariant'] = 'on')),
    );
    const r = await rollgate(w.baseUrl, ['push', file, '--env', 'production']);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain(`${file} → production (version 1): 0 added, 1 changed, 0 removed`);
    expect(r.stdout).toContain('~ flag dark-mode (changed)');
    expect(r.stderr).toContain(
      '"production" is protected and there is no terminal to confirm on, so nothing was changed — pass --yes to push without asking (e.g. in CI)',
    );
    expect(r.stderr).not.toContain('Are you sure');
    expect((await liveConfig(w.baseUrl, 'production')).version).toBe(1);
  });

  it("typed 'no': exit 1, nothing changes", async () => {
    const file = configFile(
      w,
      'dark-on.json',
      editedConfig(w.config, (d) => (d.flags['dark-mode']!['defaultVariant'] = 'on')),
    );
    const run = rollgateTty(w.baseUrl, ['push', file, '--env', 'production', '--reason', 'e2e no']);
    await run.waitFor(QUESTION);
    expect(run.output()).toContain('~ flag dark-mode (changed)');
    run.type('no\r');
    const { code, output } = await run.done;
    expect(output).toContain("aborted: you did not type 'yes', so nothing was changed in production");
    expect(output).not.toContain('pushed');
    expect(code).toBe(1);
    const live = await liveConfig(w.baseUrl, 'production');
    expect(live.version).toBe(1);
    expect(flagsOf(live.document)['dark-mode']!.defaultVariant).toBe('off');
  });

  it("typed 'yes': the push proceeds and production is at the next version", async () => {
    const file = configFile(
      w,
      'dark-on.json',
      editedConfig(w.config, (d) => (d.flags['dark-mode']!['defaultVariant'] = 'on')),
    );
    const run = rollgateTty(w.baseUrl, ['push', file, '--env', 'production', '--reason', 'e2e yes']);
    await run.waitFor(QUESTION);
    run.type('yes\r');
    const { code, output } = await run.done;
    expect(output).toContain(`✔ pushed ${file} to production: now version 2`);
    expect(code).toBe(0);
    const live = await liveConfig(w.baseUrl, 'production');
    expect(live.version).toBe(2);
    expect(flagsOf(live.document)['dark-mode']!.defaultVariant).toBe('on');

    const audit = await rollgate(w.baseUrl, ['audit', '--env', 'production', '--limit', '1', '--json']);
    expect(JSON.parse(audit.stdout)).toMatchObject({ entries: [{ action: 'config.put', actor: 'dev', reason: 'e2e yes' }] });
  });

  it('a concurrent write between the diff and the confirmation: 412, exit 1, nothing overwritten', async () => {
    // The operator's change, diffed against version 2.
    const mine = editedConfig(w.config, (d) => {
      d.flags['dark-mode']!['defaultVariant'] = 'on';
      d.flags['banner-text']!['defaultVariant'] = 'black-friday';
    });
    const file = configFile(w, 'black-friday.json', mine);
    const run = rollgateTty(w.baseUrl, ['push', file, '--env', 'production', '--reason', 'e2e race']);
    await run.waitFor(QUESTION);
    expect(run.output()).toContain(`${file} → production (version 2): 0 added, 1 changed, 0 removed`);
    expect(run.output()).toContain('~ flag banner-text (changed)');

    // Meanwhile a colleague (or a pipeline) writes production.
    const theirs = editedConfig(w.config, (d) => {
      d.flags['dark-mode']!['defaultVariant'] = 'on';
      d.flags['max-cart-items']!['defaultVariant'] = 'business';
    });
    const put = await fetch(`${w.baseUrl}/admin/v1/environments/production/flags`, {
      method: 'PUT',
      headers: { ...ADMIN, 'if-match': '"2"', 'x-rollgate-confirm': 'production', 'x-rollgate-reason': 'concurrent change' },
      body: JSON.stringify(theirs),
    });
    expect(put.status, await put.clone().text()).toBe(200);
    expect(await put.json()).toMatchObject({ version: 3, changed: true });

    run.type('yes\r');
    const { code, output } = await run.done;
    expect(output).toContain(
      `the config changed since you diffed (version 2; it is now version 3); nothing was overwritten — run diff again: rollgate diff ${file} --env production`,
    );
    expect(output).not.toContain('pushed');
    expect(code).toBe(1);

    const live = await liveConfig(w.baseUrl, 'production');
    expect(live.version).toBe(3);
    expect(flagsOf(live.document)['max-cart-items']!.defaultVariant).toBe('business');
    expect(flagsOf(live.document)['banner-text']!.defaultVariant).toBe(flagsOf(w.config)['banner-text']!.defaultVariant);
  });
});

describe('protected production: rollout and key writes need X-Rollgate-Confirm', () => {
  const PROD = '/admin/v1/environments/production';
  /** A raw admin request without the confirmation header, as a script would send it. */
  const unconfirmed = (method: string, path: string, body?: unknown) =>
    fetch(`${w.baseUrl}${PROD}${path}`, { method, headers: ADMIN, ...(body === undefined ? {} : { body: JSON.stringify(body) }) });
  const expect428 = async (res: Response) => {
    expect(res.status).toBe(428);
    expect((await res.json<{ error: string }>()).error).toContain('X-Rollgate-Confirm: production');
  };
  const rolloutsOf = async (flag: string) =>
    (
      await (
        await fetch(`${w.baseUrl}${PROD}/rollouts`, { headers: ADMIN })
      ).json<{ rollouts: { id: string; flag: string; status: string; percent: number }[] }>()
    ).rollouts.filter((r) => r.flag === flag);
  const FLAG = 'express-pay-buttons';
  let id = '';

  it('deploy: 428 without confirmation (API), refused without --yes (CLI), started with --yes', async () => {
    await expect428(await unconfirmed('POST', '/rollouts', { flag: FLAG, variant: 'on', strategy: 'safe' }));
    const refused = await rollgate(w.baseUrl, ['deploy', FLAG, '--variant', 'on', '--strategy', 'safe', '--env', 'production']);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('"production" is protected and there is no terminal to confirm on');
    expect(await rolloutsOf(FLAG)).toEqual([]);
    const started = await rollgate(w.baseUrl, ['deploy', FLAG, '--variant', 'on', '--strategy', 'safe', '--env', 'production', '--yes', '--json']);
    expect(started.code, started.stderr).toBe(0);
    id = (JSON.parse(started.stdout) as { rollout: { id: string } }).rollout.id;
    expect(await rolloutsOf(FLAG)).toEqual([expect.objectContaining({ id, status: 'running', percent: 5 })]);
  });

  it('promote: 428 without confirmation, promoted with --yes', async () => {
    await expect428(await unconfirmed('POST', `/rollouts/${id}/promote`, { reason: 'raw', fromStage: 0 }));
    expect(await rolloutsOf(FLAG)).toEqual([expect.objectContaining({ percent: 5 })]);
    const r = await rollgate(w.baseUrl, ['promote', FLAG, '--env', 'production', '--reason', 'e2e', '--yes']);
    expect(r.code, r.stderr).toBe(0);
    expect(await rolloutsOf(FLAG)).toEqual([expect.objectContaining({ percent: 10 })]);
  });

  it('pause needs no confirmation; resume: 428 without, resumed with --yes', async () => {
    const paused = await rollgate(w.baseUrl, ['pause', FLAG, '--env', 'production', '--reason', 'e2e']);
    expect(paused.code, paused.stderr).toBe(0);
    await expect428(await unconfirmed('POST', `/rollouts/${id}/resume`, { reason: 'raw' }));
    expect(await rolloutsOf(FLAG)).toEqual([expect.objectContaining({ status: 'paused' })]);
    const resumed = await rollgate(w.baseUrl, ['resume', FLAG, '--env', 'production', '--reason', 'e2e', '--yes']);
    expect(resumed.code, resumed.stderr).toBe(0);
    expect(await rolloutsOf(FLAG)).toEqual([expect.objectContaining({ status: 'running' })]);
  });

  it('rollback needs no confirmation', async () => {
    const r = await rollgate(w.baseUrl, ['rollback', FLAG, '--env', 'production', '--reason', 'e2e']);
    expect(r.code, r.stderr).toBe(0);
    expect(await rolloutsOf(FLAG)).toEqual([expect.objectContaining({ status: 'rolled_back', percent: 0 })]);
  });

  it('keys issue and revoke: 428 without confirmation, done with --yes', async () => {
    await expect428(await unconfirmed('POST', '/keys', { name: 'e2e-web' }));
    const issued = await rollgate(w.baseUrl, ['keys', 'issue', '--env', 'production', '--name', 'e2e-web', '--yes', '--json']);
    expect(issued.code, issued.stderr).toBe(0);
    await expect428(await unconfirmed('DELETE', '/keys/e2e-web'));
    const audit = async () => (await (await fetch(`${w.baseUrl}${PROD}/audit?action=key.revoke`, { headers: ADMIN })).json<{ entries: unknown[] }>()).entries;
    expect(await audit()).toEqual([]);
    const revoked = await rollgate(w.baseUrl, ['keys', 'revoke', '--env', 'production', '--name', 'e2e-web', '--yes']);
    expect(revoked.code, revoked.stderr).toBe(0);
    expect(await audit()).toHaveLength(1);
  });
});
