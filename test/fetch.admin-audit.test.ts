/**
 * The audit log through the admin API: newest first, paged with a cursor, filtered by flag,
 * action, actor and time, with bad queries refused.
 */
import { describe, expect, it } from 'vitest';
import { TOKENS } from './helpers/admin';
import { adminKit, json, type Json, STAGING } from './helpers/admin-kit';
import { configWith } from './helpers/coordinator';

const kit = adminKit();
const { admin, putConfig, auditOf, seedStaging, issueKey } = kit;

describe('audit log', () => {
  /** Five entries in staging: put v1, key, put v2 (static-bool), rollout start (new-checkout), put v3 (banner). */
  async function fiveEntries(): Promise<void> {
    await seedStaging();
    await issueKey('staging', 'web');
    kit.clock.advance(1000);
    expect(
      (
        await putConfig(
          'staging',
          configWith((c) => (c.flags['static-bool']!.defaultVariant = 'off')),
        )
      ).status,
    ).toBe(200);
    kit.clock.advance(1000);
    const started = await admin('POST', `${STAGING}/rollouts`, { body: { flag: 'new-checkout', variant: 'on', strategy: 'fast', reason: 'go' } });
    expect(started.status).toBe(201);
    kit.clock.advance(1000);
    const v3 = configWith((c) => {
      c.flags['static-bool']!.defaultVariant = 'off';
      c.flags['banner']!.defaultVariant = 'staff';
    });
    expect((await putConfig('staging', v3)).status).toBe(200);
  }

  it('pages newest first with a cursor', async () => {
    await fiveEntries();
    const seen: Json[] = [];
    const pages: number[] = [];
    let cursor: string | null = null;
    do {
      const res = await admin('GET', `${STAGING}/audit?limit=2${cursor ? `&cursor=${cursor}` : ''}`, { token: TOKENS.viewer });
      expect(res.status).toBe(200);
      const page = await json(res);
      pages.push(page['entries'].length);
      seen.push(...page['entries']);
      cursor = page['nextCursor'] as string | null;
    } while (cursor !== null && pages.length < 10);
    expect(pages).toEqual([2, 2, 1]);
    expect(seen.map((e) => e['action'])).toEqual(['config.put', 'rollout.start', 'config.put', 'key.issue', 'config.put']);
    const ids = seen.map((e) => e['id'] as number);
    expect(ids).toEqual([...ids].sort((a, b) => b - a));
    expect(new Set(ids).size).toBe(5);
    const times = seen.map((e) => Date.parse(e['at'] as string));
    expect(times).toEqual([...times].sort((a, b) => b - a));
    expect(seen[0]).toMatchObject({ environment: 'staging', actor: 'erin-editor', target: 'config v3', reason: null });

    for (const bad of ['limit=0', 'limit=501', 'limit=abc', 'cursor=abc']) {
      const res = await admin('GET', `${STAGING}/audit?${bad}`);
      expect({ bad, status: res.status }).toEqual({ bad, status: 400 });
    }
  });

  it('filters by flag and by action', async () => {
    await fiveEntries();
    const byFlag = async (flag: string) => (await auditOf('staging', `&flag=${flag}`)).map((e) => [e['action'], e['target']]);
    // v3 left static-bool as v2 had it.
    expect(await byFlag('static-bool')).toEqual([
      ['config.put', 'config v2'],
      ['config.put', 'config v1'],
    ]);
    const rolloutId = (await auditOf('staging', '&action=rollout.start'))[0]!['target'] as string;
    expect(await byFlag('new-checkout')).toEqual([
      ['rollout.start', rolloutId],
      ['config.put', 'config v1'],
    ]);
    expect(await byFlag('banner')).toEqual([
      ['config.put', 'config v3'],
      ['config.put', 'config v1'],
    ]);
    // A flag name that is a prefix of another matches only itself.
    expect(await byFlag('new')).toEqual([]);
    expect((await auditOf('staging', '&action=config.put')).map((e) => e['target'])).toEqual(['config v3', 'config v2', 'config v1']);
    expect((await auditOf('staging', '&action=key.issue')).map((e) => e['target'])).toEqual(['web']);
    expect((await auditOf('staging', '&action=config.put&flag=banner')).map((e) => e['target'])).toEqual(['config v3', 'config v1']);

    // Filters page too.
    const page = await json(await admin('GET', `${STAGING}/audit?limit=1&action=config.put`));
    expect(page['entries'].map((e: Json) => e['target'])).toEqual(['config v3']);
    const next = await json(await admin('GET', `${STAGING}/audit?limit=1&action=config.put&cursor=${page['nextCursor']}`));
    expect(next['entries'].map((e: Json) => e['target'])).toEqual(['config v2']);
  });

  it('filters by actor and by time, and refuses a time that is not a date', async () => {
    await fiveEntries();
    const all = await auditOf('staging', '');
    const actors = [...new Set(all.map((e) => e['actor'] as string))];
    expect(actors.length).toBeGreaterThan(1);
    for (const actor of actors) {
      expect((await auditOf('staging', `&actor=${encodeURIComponent(actor)}`)).map((e) => e['id'])).toEqual(
        all.filter((e) => e['actor'] === actor).map((e) => e['id']),
      );
    }
    const times = all.map((e) => e['at'] as string);
    const [newest, , middle] = times;
    const window = await auditOf('staging', `&since=${encodeURIComponent(middle!)}&until=${encodeURIComponent(newest!)}`);
    expect(window.map((e) => e['id'])).toEqual(all.filter((e) => e['at']! >= middle! && e['at']! < newest!).map((e) => e['id']));
    expect(window.length).toBeGreaterThan(0);
    for (const bad of ['since=yesterday', 'until=2026-13-45T00:00:00Z']) {
      const res = await admin('GET', `${STAGING}/audit?${bad}`);
      expect(res.status).toBe(400);
      expect(await json(res)).toMatchObject({ code: 'invalid_query' });
    }
  });

  it('filters by a flag key that contains a comma without matching the keys on either side of it', async () => {
    await seedStaging();
    kit.clock.advance(1000);
    const withComma = configWith((c) => (c.flags['x,new-checkout'] = { state: 'ENABLED', variants: { on: true, off: false }, defaultVariant: 'off' }));
    expect((await putConfig('staging', withComma)).status).toBe(200);
    const targets = async (flag: string) => (await auditOf('staging', `&flag=${encodeURIComponent(flag)}`)).map((e) => e['target']);
    expect(await targets('x,new-checkout')).toEqual(['config v2']);
    expect(await targets('new-checkout')).toEqual(['config v1']);
    expect(await targets('x')).toEqual([]);
  });
});

describe('audit log: hostile queries', () => {
  it('a cursor past any id (hundreds of digits, beyond a safe integer) or a 5,000-character filter is a 400, never a 500', async () => {
    await seedStaging();
    for (const cursor of ['9'.repeat(400), '9007199254740993']) {
      const res = await admin('GET', `${STAGING}/audit?cursor=${cursor}`, { token: TOKENS.viewer });
      expect(res.status, cursor).toBe(400);
      expect(await json(res)).toMatchObject({ code: 'invalid_query' });
    }
    for (const name of ['actor', 'flag', 'action']) {
      const res = await admin('GET', `${STAGING}/audit?${name}=${'a'.repeat(5000)}`, { token: TOKENS.viewer });
      expect(res.status, name).toBe(400);
      expect(await json(res)).toMatchObject({ code: 'invalid_query' });
    }
    // The log answers as before.
    expect((await auditOf('staging')).length).toBe(1);
  });
});
