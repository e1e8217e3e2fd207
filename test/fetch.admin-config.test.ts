/**
 * Config writes through the admin API: PUT stores a version and GET returns it; an identical
 * document is no change; invalid, malformed or oversized documents and unknown environments are
 * refused with every error and change nothing; a protected environment needs its confirm header;
 * the validate dry run reports errors, warnings and a diff. (Versions: fetch.admin-config-versions.test.ts.)
 */
import { describe, expect, it } from 'vitest';
import { TOKENS } from './helpers/admin';
import { adminKit, json, type Json, STAGING } from './helpers/admin-kit';
import { configWith, kvSnapshot, validConfig } from './helpers/coordinator';

const kit = adminKit();
const { admin, putConfig, auditOf, stateOf, seedStaging } = kit;

describe('config', () => {
  it('PUT stores a valid config as version 1 with an ETag; GET returns it', async () => {
    const res = await putConfig('staging', validConfig());
    expect(res.status).toBe(200);
    expect(res.headers.get('etag')).toBe('"1"');
    expect(await json(res)).toMatchObject({ version: 1, changed: true });

    const got = await admin('GET', `${STAGING}/flags`, { token: TOKENS.viewer });
    expect(got.status).toBe(200);
    expect(got.headers.get('etag')).toBe('"1"');
    expect(await json(got)).toEqual({ version: 1, document: validConfig(), updatedAt: new Date(kit.clock.now).toISOString(), actor: 'erin-editor' });

    const [entry] = await auditOf('staging');
    expect(entry).toMatchObject({ action: 'config.put', target: 'config v1', diff: { fromVersion: null, toVersion: 1 } });
    expect(entry!['diff']['changes'].map((c: Json) => [c['target'], c['change']])).toEqual(
      expect.arrayContaining([
        ['static-bool', 'added'],
        ['new-checkout', 'added'],
      ]),
    );
  });

  it('PUT of an identical document changes nothing: same version, no audit entry', async () => {
    await seedStaging();
    const kvBefore = await kvSnapshot('staging');
    kit.clock.advance(1000);
    // The same document with its keys in another order is the same config.
    const reverseKeys = (v: unknown): unknown =>
      Array.isArray(v)
        ? v.map(reverseKeys)
        : v !== null && typeof v === 'object'
          ? Object.fromEntries(
              Object.entries(v)
                .reverse()
                .map(([k, x]) => [k, reverseKeys(x)]),
            )
          : v;
    const reordered = reverseKeys(validConfig());
    expect(JSON.stringify(reordered)).not.toBe(JSON.stringify(validConfig()));
    for (const doc of [validConfig(), reordered]) {
      const res = await putConfig('staging', doc);
      expect(res.status).toBe(200);
      expect(res.headers.get('etag')).toBe('"1"');
      expect(await json(res)).toMatchObject({ version: 1, changed: false });
    }
    expect(await auditOf('staging')).toHaveLength(1);
    expect(await kvSnapshot('staging')).toEqual(kvBefore);
  });

  it('422 lists every error with its JSON path, and nothing changes', async () => {
    await seedStaging();
    const before = await stateOf('staging');
    kit.clock.advance(1000);

    const semantic = configWith((c) => {
      c.flags['broken'] = { state: 'ENABLED', variants: { a: 'a' }, defaultVariant: 'a', targeting: { nope: [1] } };
      c.flags['bad-default'] = { state: 'ENABLED', variants: { on: true, off: false }, defaultVariant: 'missing' };
      c.flags['mixed'] = { state: 'ENABLED', variants: { a: 1, b: 'x' }, defaultVariant: 'a' };
      c.flags['elsewhere'] = { state: 'ENABLED', variants: { on: true }, defaultVariant: 'on', environments: { qa: { defaultVariant: 'on' } } };
    });
    const res = await putConfig('staging', semantic);
    expect(res.status).toBe(422);
    const body = await json(res);
    const paths = (body['errors'] as Json[]).map((e) => e['path']);
    expect(paths).toEqual(
      expect.arrayContaining(['/flags/broken/targeting', '/flags/bad-default/defaultVariant', '/flags/mixed/variants', '/flags/elsewhere/environments/qa']),
    );
    expect((body['errors'] as Json[]).every((e) => typeof e['message'] === 'string' && e['message'].length > 0)).toBe(true);

    // Schema errors: every one, each at its path.
    const schema = { environments: ['staging'], flags: { a: { state: 'MAYBE', variants: { on: true }, defaultVariant: 'on' }, b: { state: 'ENABLED' } } };
    const res2 = await putConfig('staging', schema);
    expect(res2.status).toBe(422);
    const paths2 = ((await json(res2))['errors'] as Json[]).map((e) => e['path']);
    expect(paths2).toEqual(expect.arrayContaining(['/flags/a/state', '/flags/b/variants']));

    // A valid config that does not describe this environment.
    const elsewhere = configWith((c) => {
      c.environments = ['development'];
      delete c.flags['banner']!.environments;
    });
    const res3 = await putConfig('staging', elsewhere);
    expect(res3.status).toBe(422);
    expect((await json(res3))['errors']).toEqual([expect.objectContaining({ path: '/environments' })]);

    expect(await stateOf('staging')).toEqual(before);
  });

  it('answers 400 to malformed JSON and 413 to a body over 1 MiB, changing nothing', async () => {
    await seedStaging();
    const before = await stateOf('staging');
    kit.clock.advance(1000);

    for (const bad of ['{"flags": ', '{flags: {}}', '']) {
      const res = await putConfig('staging', bad);
      expect({ bad, status: res.status }).toEqual({ bad, status: 400 });
      expect((await json(res))['error']).toEqual(expect.any(String));
    }
    const validate = await admin('POST', `${STAGING}/flags/validate`, { body: '{"flags": [' });
    expect(validate.status).toBe(400);

    const huge = configWith((c) => (c.metadata = { ...c.metadata, blob: 'x'.repeat(1024 * 1024) }));
    const res = await putConfig('staging', huge);
    expect(res.status).toBe(413);
    // Also when the size is only found while reading the stream.
    const text = JSON.stringify(huge);
    const stream = new ReadableStream({
      start(controller) {
        controller.enqueue(new TextEncoder().encode(text));
        controller.close();
      },
    });
    const streamed = await kit.h.fetch(`/admin/v1${STAGING}/flags`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${TOKENS.editor}` },
      body: stream,
      duplex: 'half',
    } as RequestInit);
    expect(streamed.status).toBe(413);

    expect(await stateOf('staging')).toEqual(before);
  });

  it('answers 404 for an unknown environment', async () => {
    for (const [method, path, body] of [
      ['GET', '/environments/qa/flags', undefined],
      ['PUT', '/environments/qa/flags', { ...validConfig(), environments: ['qa'] }],
      ['POST', '/environments/qa/flags/validate', validConfig()],
      ['GET', '/environments/qa/rollouts', undefined],
      ['GET', '/environments/qa/audit', undefined],
      ['POST', '/environments/qa/keys', { name: 'k' }],
    ] as const) {
      const res = await admin(method, path, { body });
      expect({ method, path, status: res.status }).toEqual({ method, path, status: 404 });
      expect((await json(res))['error']).toContain('qa');
    }
  });

  it('a protected environment needs X-Rollgate-Confirm naming it: 428 without, 200 with', async () => {
    const before = await stateOf('production');
    const without = await putConfig('production', validConfig());
    expect(without.status).toBe(428);
    expect((await json(without))['error']).toContain('X-Rollgate-Confirm: production');
    const wrong = await putConfig('production', validConfig(), { headers: { 'x-rollgate-confirm': 'staging' } });
    expect(wrong.status).toBe(428);
    expect(await stateOf('production')).toEqual(before);

    const confirmed = await putConfig('production', validConfig(), { headers: { 'x-rollgate-confirm': 'production' } });
    expect(confirmed.status).toBe(200);
    expect(await json(confirmed)).toMatchObject({ version: 1, changed: true });

    // Staging is not protected.
    expect((await putConfig('staging', validConfig())).status).toBe(200);
  });

  it('POST .../flags/validate answers errors, warnings and a per-flag diff without changing anything', async () => {
    await seedStaging();
    const before = await stateOf('staging');
    kit.clock.advance(1000);

    const candidate = configWith((c) => {
      c.flags['static-bool']!.defaultVariant = 'off';
      delete c.flags['disabled'];
      c.flags['new-flag'] = { state: 'ENABLED', variants: { on: true, off: false }, defaultVariant: 'off', metadata: { category: 'experimental' } };
    });
    const res = await admin('POST', `${STAGING}/flags/validate`, { token: TOKENS.viewer, body: candidate });
    expect(res.status).toBe(200);
    const body = await json(res);
    expect(body['valid']).toBe(true);
    expect(body['errors']).toEqual([]);
    // new-checkout is critical and defaults to a falsy variant.
    expect(body['warnings']).toEqual([expect.objectContaining({ path: '/flags/new-checkout/defaultVariant' })]);
    const diff = (body['diff'] as Json[]).map((d) => [d['target'], d['change']]);
    expect(diff).toEqual(
      expect.arrayContaining([
        ['static-bool', 'changed'],
        ['new-flag', 'added'],
        ['disabled', 'removed'],
      ]),
    );
    expect(diff).toHaveLength(3);
    expect((body['diff'] as Json[]).find((d) => d['target'] === 'static-bool')).toMatchObject({
      before: { defaultVariant: 'on' },
      after: { defaultVariant: 'off' },
    });

    const invalid = await admin('POST', `${STAGING}/flags/validate`, {
      body: configWith((c) => (c.flags['static-bool']!.defaultVariant = 'maybe')),
    });
    expect(invalid.status).toBe(200);
    expect(await json(invalid)).toMatchObject({ valid: false, errors: [expect.objectContaining({ path: '/flags/static-bool/defaultVariant' })], diff: [] });

    expect(await stateOf('staging')).toEqual(before);
  });
});
