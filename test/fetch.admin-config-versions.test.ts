/**
 * Config versions through the admin API: If-Match makes a write conditional on the current
 * version (412 and no change when stale, exactly one winner among concurrent writers), and
 * revert restores an earlier version as a new one.
 */
import { describe, expect, it } from 'vitest';
import { TOKENS } from './helpers/admin';
import { adminKit, json, STAGING } from './helpers/admin-kit';
import { configWith, kvSnapshot } from './helpers/coordinator';

const kit = adminKit();
const { admin, putConfig, auditOf, versionOf, stateOf, seedStaging } = kit;

describe('config', () => {
  it('If-Match: a stale version gets 412 and changes nothing; the current one succeeds', async () => {
    await seedStaging();
    kit.clock.advance(1000);
    const v2 = await putConfig(
      'staging',
      configWith((c) => (c.flags['static-bool']!.defaultVariant = 'off')),
      { headers: { 'if-match': '"1"' } },
    );
    expect(v2.status).toBe(200);
    expect(v2.headers.get('etag')).toBe('"2"');
    const before = await stateOf('staging');

    kit.clock.advance(1000);
    for (const ifMatch of ['"1"', 'W/"1"', '"3"', 'garbage']) {
      const stale = await putConfig(
        'staging',
        configWith((c) => (c.flags['banner']!.defaultVariant = 'staff')),
        { headers: { 'if-match': ifMatch } },
      );
      expect({ ifMatch, status: stale.status }).toEqual({ ifMatch, status: 412 });
      expect(await json(stale)).toMatchObject({ currentVersion: 2 });
    }
    expect(await stateOf('staging')).toEqual(before);

    const v3 = await putConfig(
      'staging',
      configWith((c) => (c.flags['banner']!.defaultVariant = 'staff')),
      { headers: { 'if-match': '"2"' } },
    );
    expect(v3.status).toBe(200);
    expect(await json(v3)).toMatchObject({ version: 3, changed: true });
  });

  it('POST .../flags/revert restores an earlier version as a new version', async () => {
    await seedStaging();
    const v1 = (await json(await admin('GET', `${STAGING}/flags`)))['document'];
    kit.clock.advance(1000);
    const changed = configWith((c) => (c.flags['static-bool']!.defaultVariant = 'off'));
    expect((await putConfig('staging', changed)).status).toBe(200);

    kit.clock.advance(1000);
    const res = await admin('POST', `${STAGING}/flags/revert`, { token: TOKENS.editor, body: { version: 1, reason: 'bad change' } });
    expect(res.status).toBe(200);
    expect(res.headers.get('etag')).toBe('"3"');
    expect(await json(res)).toMatchObject({ version: 3, changed: true });
    expect(await json(await admin('GET', `${STAGING}/flags`))).toMatchObject({ version: 3, document: v1 });
    const [entry] = await auditOf('staging');
    expect(entry).toMatchObject({ action: 'config.revert', reason: 'bad change', diff: { fromVersion: 2, toVersion: 3 } });
    expect((await kvSnapshot('staging'))!.flags['static-bool']!.defaultVariant).toBe('on');

    // Version 2 is still in the history and can be restored in turn; unknown versions are 404.
    kit.clock.advance(1000);
    expect(await json(await admin('POST', `${STAGING}/flags/revert`, { token: TOKENS.editor, body: { version: 2 } }))).toMatchObject({ version: 4 });
    expect((await auditOf('staging'))[0]).toMatchObject({ action: 'config.revert', reason: 'revert to version 2' });
    const missing = await admin('POST', `${STAGING}/flags/revert`, { token: TOKENS.editor, body: { version: 99 } });
    expect(missing.status).toBe(404);
    expect(await versionOf('staging')).toBe(4);
  });

  it('20 concurrent PUTs with the same If-Match: exactly one 200, 19 × 412, one audit entry', async () => {
    await seedStaging();
    kit.clock.advance(1000);
    const docs = Array.from({ length: 20 }, (_, i) =>
      configWith((c) => (c.flags[`concurrent-${i}`] = { state: 'ENABLED', variants: { on: true, off: false }, defaultVariant: 'on' })),
    );
    const responses = await Promise.all(docs.map((doc) => putConfig('staging', doc, { headers: { 'if-match': '"1"' } })));
    const statuses = responses.map((r) => r.status);
    expect(statuses.filter((s) => s === 200)).toHaveLength(1);
    expect(statuses.filter((s) => s === 412)).toHaveLength(19);

    const winner = statuses.indexOf(200);
    expect(await json(responses[winner]!)).toMatchObject({ version: 2, changed: true });
    const current = await json(await admin('GET', `${STAGING}/flags`));
    expect(current).toMatchObject({ version: 2, document: docs[winner] });
    const entries = await auditOf('staging');
    expect(entries).toHaveLength(2);
    expect(entries[0]).toMatchObject({ action: 'config.put', target: 'config v2' });
    expect(entries[0]!['diff']['changes']).toEqual([expect.objectContaining({ target: `concurrent-${winner}`, change: 'added' })]);
  });
});
