import { reset } from 'cloudflare:test';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { keyOf, snapshotOf } from './helpers/fixture';
import { Harness } from './helpers/harness';

const FLAGS = '/ofrep/v1/evaluate/flags';
let h: Harness;

beforeEach(async () => {
  h = new Harness();
  for (const env of ['development', 'staging', 'production']) await h.publish(await snapshotOf(env, 3));
});
afterEach(async () => {
  await reset();
});

/** Status and body: what must not depend on whether the router or the fast path served a request. */
async function outcome(res: Response): Promise<{ status: number; body: string; etag: string | null }> {
  return { status: res.status, body: await res.text(), etag: res.headers.get('etag') };
}

describe('OFREP around the router (fast path)', () => {
  const body = { context: { targetingKey: 'u', email: 'a@rollgate.dev' } };

  it('answers single and bulk as the router does (with Origin, the router and CORS serve them)', async () => {
    for (const path of [`${FLAGS}/banner`, `${FLAGS}/missing`, FLAGS]) {
      const fast = await h.evaluate(path, body, keyOf('development'));
      const routed = await h.evaluate(path, body, keyOf('development'), { origin: 'https://shop.example' });
      expect(routed.headers.get('access-control-allow-origin')).toBe('*');
      expect(fast.headers.get('access-control-allow-origin')).toBeNull();
      expect(await outcome(fast)).toEqual(await outcome(routed));
    }
  });

  it('leaves an encoded key to the router, which decodes it', async () => {
    const encoded = await h.evaluate(`${FLAGS}/%62anner`, body, keyOf('development'));
    const plain = await h.evaluate(`${FLAGS}/banner`, body, keyOf('development'));
    expect(encoded.status).toBe(200);
    expect(await outcome(encoded)).toEqual(await outcome(plain));
  });

  it('answers errors as the router does: 401 without a key, 400 for a bad body, 404 for other methods and paths', async () => {
    expect((await h.evaluate(`${FLAGS}/banner`, body, null)).status).toBe(401);
    const bad = await h.evaluate(`${FLAGS}/banner`, '{"context": [1]}', keyOf('development'));
    expect(bad.status).toBe(400);
    expect(await bad.json()).toMatchObject({ key: 'banner', errorCode: 'INVALID_CONTEXT' });
    expect((await h.fetch(`${FLAGS}/banner/extra`, { method: 'POST', body: '{}' })).status).toBe(404);
    expect((await h.fetch(`${FLAGS}/banner`, { method: 'GET' })).status).toBe(404);
  });
});
