/**
 * Client keys through the admin API: issued at random and shown once (only its hash is stored,
 * published and audited), usable for OFREP after the publish; revoking one answers 401 to it once
 * the next snapshot reaches the Worker.
 */
import { env } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import { sha256Hex } from '../src/core/sha256';
import { snapshotKey } from '../src/store/keys';
import { adminKit, json, STAGING, SNAPSHOT_REFRESH_MS } from './helpers/admin-kit';
import { kvSnapshot } from './helpers/coordinator';

const kit = adminKit();
const { admin, auditOf, seedStaging, issueKey, evaluate } = kit;

describe('client keys', () => {
  it('issues a random key, shown once, that works for OFREP after the publish', async () => {
    await seedStaging();
    kit.clock.advance(1000);
    const res = await admin('POST', `${STAGING}/keys`, { body: { name: 'web' } });
    expect(res.status).toBe(201);
    expect(res.headers.get('cache-control')).toBe('no-store');
    const body = await json(res);
    expect(body).toMatchObject({ name: 'web', changed: true });
    const key = body['key'] as string;
    // rg_<env>_ and base64url of the random bytes: at least 128 bits (22 characters of 6 bits).
    const random = /^rg_staging_([A-Za-z0-9_-]+)$/.exec(key)?.[1];
    expect(random).toBeDefined();
    expect(random!.length * 6).toBeGreaterThanOrEqual(128);
    const other = await issueKey('staging', 'mobile');
    expect(other).not.toBe(key);
    expect(new Set([...key.slice(11)]).size).toBeGreaterThan(10);

    // Works for OFREP once published.
    expect((await evaluate('static-bool', key)).status).toBe(200);
    expect((await evaluate('static-bool', other)).status).toBe(200);

    // Shown once: stored and published only as its hash; the audit log does not hold it.
    const kvText = (await env.FLAGS.get(snapshotKey('staging')))!;
    expect(kvText).not.toContain(key);
    expect(kvText).toContain(await sha256Hex(key));
    expect(JSON.stringify(await auditOf('staging'))).not.toContain(key);
    expect(JSON.stringify(await json(await admin('GET', '/environments')))).not.toContain(key);

    // The same name again is refused; a bad name is 422.
    const dup = await admin('POST', `${STAGING}/keys`, { body: { name: 'web' } });
    expect(dup.status).toBe(409);
    const badName = await admin('POST', `${STAGING}/keys`, { body: { name: 'no spaces allowed' } });
    expect(badName.status).toBe(422);
  });

  it('DELETE revokes a key: 401 for OFREP once the next snapshot reaches the Worker; 404 for an unknown name', async () => {
    await seedStaging();
    const key = await issueKey('staging', 'web');
    const other = await issueKey('staging', 'mobile');
    expect((await evaluate('static-bool', key)).status).toBe(200);

    kit.clock.advance(1000);
    const res = await admin('DELETE', `${STAGING}/keys/web`);
    expect(res.status).toBe(200);
    expect(await json(res)).toEqual({ name: 'web' });
    const snap = await kvSnapshot('staging');
    expect(snap!.$rollgate.clientKeys.map((k) => k.name)).toEqual(['mobile']);

    kit.clock.advance(SNAPSHOT_REFRESH_MS);
    const revoked = await evaluate('static-bool', key);
    expect(revoked.status).toBe(401);
    expect(await revoked.text()).toBe('');
    expect((await evaluate('static-bool', other)).status).toBe(200);

    const again = await admin('DELETE', `${STAGING}/keys/web`);
    expect(again.status).toBe(404);
    const unknown = await admin('DELETE', `${STAGING}/keys/nobody`);
    expect(unknown.status).toBe(404);
    expect((await json(unknown))['error']).toContain('nobody');
    expect((await auditOf('staging')).map((e) => e['action'])).toEqual(['key.revoke', 'key.issue', 'key.issue', 'config.put']);
  });
});
