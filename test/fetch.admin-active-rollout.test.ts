/**
 * What an active rollout does outside its own routes: a config change or revert that would remove
 * its flag or a variant it uses is refused with 409 naming it, and OFREP answers carry its id and
 * percent until it is rolled back.
 */
import { describe, expect, it } from 'vitest';
import type { RollgateConfig } from '../src/core/schema/config';
import { TOKENS } from './helpers/admin';
import { adminKit, json, STAGING, SNAPSHOT_REFRESH_MS } from './helpers/admin-kit';
import { configWith } from './helpers/coordinator';

const kit = adminKit();
const { admin, putConfig, stateOf, seedStaging, evaluate, seedStagingWithKey, startRollout, rolloutAction } = kit;

describe('rollouts', () => {
  it('refuses a config change that would remove a flag or variant in an active rollout, with 409 naming it', async () => {
    // "contrast" exists only in staging, through the overlay's variants.
    const withTheme = (c: RollgateConfig) => {
      c.flags['theme'] = {
        state: 'ENABLED',
        variants: { light: 'light', dark: 'dark' },
        defaultVariant: 'light',
        environments: { staging: { variants: { contrast: 'high-contrast' } } },
      };
    };
    await seedStaging();
    kit.clock.advance(1000);
    expect((await putConfig('staging', configWith(withTheme))).status).toBe(200);
    const r = await startRollout({ flag: 'new-checkout', variant: 'on', baselineVariant: 'off', strategy: 'safe' });
    const theme = await startRollout({ flag: 'theme', variant: 'contrast', strategy: 'fast' });
    const before = await stateOf('staging');
    kit.clock.advance(1000);

    const cases: [string, RollgateConfig, string][] = [
      ['flag removed', configWith((c) => (withTheme(c), delete c.flags['new-checkout'])), r['id']],
      ['variant removed', configWith((c) => (withTheme(c), (c.flags['new-checkout']!.variants = { off: false }))), r['id']],
      [
        'baseline variant removed',
        configWith((c) => (withTheme(c), (c.flags['new-checkout']!.variants = { on: true }), (c.flags['new-checkout']!.defaultVariant = 'on'))),
        r['id'],
      ],
      ['overlay variant removed', configWith((c) => (withTheme(c), delete c.flags['theme']!.environments)), theme['id']],
    ];
    for (const [label, doc, id] of cases) {
      const res = await putConfig('staging', doc);
      const body = await json(res);
      expect({ label, status: res.status }).toEqual({ label, status: 409 });
      expect(body['error']).toContain(id);
      expect(body['conflicts']).toEqual([expect.objectContaining({ rolloutId: id })]);
      // The dry run says the same.
      const dry = await json(await admin('POST', `${STAGING}/flags/validate`, { body: doc }));
      expect({ label, valid: dry['valid'] }).toEqual({ label, valid: false });
      expect(dry['errors']).toEqual([expect.objectContaining({ message: expect.stringContaining(id) })]);
    }
    // Reverting to version 1, which has no "theme", is refused the same way.
    const revert = await admin('POST', `${STAGING}/flags/revert`, { token: TOKENS.editor, body: { version: 1 } });
    expect(revert.status).toBe(409);
    expect((await json(revert))['error']).toContain(theme['id']);
    expect(await stateOf('staging')).toEqual(before);

    // Other flags can still change, and once the rollout has ended the flag can go.
    expect(
      (
        await putConfig(
          'staging',
          configWith((c) => (withTheme(c), (c.flags['static-bool']!.defaultVariant = 'off'))),
        )
      ).status,
    ).toBe(200);
    expect((await rolloutAction(r['id'], 'rollback', 'done')).status).toBe(200);
    kit.clock.advance(1000);
    expect(
      (
        await putConfig(
          'staging',
          configWith((c) => (withTheme(c), delete c.flags['new-checkout'])),
        )
      ).status,
    ).toBe(200);
  });

  it('OFREP metadata shows rolloutId and rolloutPercent during the rollout, and not after the rollback', async () => {
    const key = await seedStagingWithKey();
    const r = await startRollout();
    for (let i = 0; i < 20; i++) {
      const res = await evaluate('new-checkout', key, `user-${i}`);
      expect(res.status).toBe(200);
      expect((await json(res))['metadata']).toMatchObject({ rolloutId: r['id'], rolloutPercent: 5 });
    }
    // The environment's targeting runs first, then the split: everyone not in the 5 % keeps "off".
    const values = new Map<unknown, number>();
    for (let i = 0; i < 400; i++) {
      const v = (await json(await evaluate('new-checkout', key, `user-${i}`)))['value'];
      values.set(v, (values.get(v) ?? 0) + 1);
    }
    expect(values.get(true)).toBeGreaterThan(0);
    expect(values.get(false)).toBeGreaterThan(values.get(true)!);

    expect((await rolloutAction(r['id'], 'promote', 'faster')).status).toBe(200);
    kit.clock.advance(SNAPSHOT_REFRESH_MS);
    expect((await json(await evaluate('new-checkout', key)))['metadata']).toMatchObject({ rolloutId: r['id'], rolloutPercent: 10 });

    expect((await rolloutAction(r['id'], 'rollback', 'stop')).status).toBe(200);
    kit.clock.advance(SNAPSHOT_REFRESH_MS);
    const after = await json(await evaluate('new-checkout', key));
    expect(after['metadata']).not.toHaveProperty('rolloutId');
    expect(after['metadata']).not.toHaveProperty('rolloutPercent');
    expect(after['value']).toBe(false);
  });
});
