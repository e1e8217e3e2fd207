import { reset } from 'cloudflare:test';
import { exports } from 'cloudflare:workers';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { keyOf, snapshotOf } from './helpers/fixture';
import { Harness } from './helpers/harness';

const SINGLE = '/ofrep/v1/evaluate/flags';
const ENVS = ['development', 'staging', 'production'];
let h: Harness;

beforeEach(async () => {
  h = new Harness();
  for (const env of ENVS) await h.publish(await snapshotOf(env, 3));
});
afterEach(async () => {
  await reset();
});

describe('OFREP single evaluation', () => {
  it('evaluates a static flag with flagSetVersion metadata', async () => {
    const res = await h.evaluate(`${SINGLE}/static-bool`, { context: { targetingKey: 'u1' } }, keyOf('production'));
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toContain('application/json');
    expect(await res.json()).toEqual({
      key: 'static-bool',
      value: true,
      variant: 'on',
      reason: 'STATIC',
      metadata: { team: 'web', flagSetVersion: 3 },
    });
  });

  it('answers TARGETING_MATCH through a $ref rule and DEFAULT otherwise', async () => {
    const hit = await h.evaluate(`${SINGLE}/banner`, { context: { targetingKey: 'u', email: 'a@rollgate.dev' } }, keyOf('development'));
    expect(await hit.json()).toMatchObject({ value: 'Hello staff', variant: 'staff', reason: 'TARGETING_MATCH' });
    const miss = await h.evaluate(`${SINGLE}/banner`, { context: { targetingKey: 'u', email: 'a@example.com' } }, keyOf('development'));
    expect(await miss.json()).toMatchObject({ value: 'Hello', variant: 'everyone', reason: 'DEFAULT' });
  });

  it('selects the environment from the client key', async () => {
    const res = await h.evaluate(`${SINGLE}/banner`, { context: {} }, keyOf('staging'));
    expect(await res.json()).toMatchObject({ value: 'Hello from staging' });
  });

  it('accepts the key in X-API-Key', async () => {
    const res = await h.evaluate(`${SINGLE}/static-bool`, { context: {} }, null, { 'x-api-key': keyOf('staging') });
    expect(res.status).toBe(200);
  });

  it('omits value for a code-default flag and a disabled flag', async () => {
    const cd = await h.evaluate(`${SINGLE}/code-default`, { context: {} }, keyOf('development'));
    expect(cd.status).toBe(200);
    const cdBody = await cd.json<Record<string, unknown>>();
    expect(cdBody).toMatchObject({ key: 'code-default', reason: 'DEFAULT' });
    expect(cdBody).not.toHaveProperty('value');
    const dis = await h.evaluate(`${SINGLE}/disabled`, { context: {} }, keyOf('development'));
    const disBody = await dis.json<Record<string, unknown>>();
    expect(disBody).toMatchObject({ key: 'disabled', reason: 'DISABLED' });
    expect(disBody).not.toHaveProperty('value');
  });

  it('answers 404 FLAG_NOT_FOUND for an unknown flag', async () => {
    const res = await h.evaluate(`${SINGLE}/nope`, { context: {} }, keyOf('development'));
    expect(res.status).toBe(404);
    expect(await res.json()).toMatchObject({ key: 'nope', errorCode: 'FLAG_NOT_FOUND' });
  });

  it('answers 400 PARSE_ERROR for a flag whose targeting does not compile', async () => {
    const res = await h.evaluate(`${SINGLE}/broken`, { context: {} }, keyOf('development'));
    expect(res.status).toBe(400);
    const body = await res.json<Record<string, string>>();
    expect(body).toMatchObject({ key: 'broken', errorCode: 'PARSE_ERROR' });
    expect(body['errorDetails']).toContain('unknown operator "nope"');
  });

  it('shows rolloutId and rolloutPercent and splits by targetingKey during a rollout', async () => {
    await h.publish(await snapshotOf('development', 4, { rollouts: { 'new-checkout': { id: 'r-1', variant: 'on', baselineVariant: 'off', percent: 50 } } }));
    h.now += 10_000;
    const values = new Set<unknown>();
    for (let i = 0; i < 40; i++) {
      const res = await h.evaluate(`${SINGLE}/new-checkout`, { context: { targetingKey: `user-${i}` } }, keyOf('development'));
      const body = await res.json<{ value: unknown; reason: string; metadata: Record<string, unknown> }>();
      expect(body.reason).toBe('SPLIT');
      expect(body.metadata).toMatchObject({ rolloutId: 'r-1', rolloutPercent: 50, flagSetVersion: 4 });
      values.add(body.value);
    }
    expect(values).toEqual(new Set([true, false]));
  });
});

describe('authentication', () => {
  it.each([
    ['no key', {}],
    ['an unknown key', { authorization: 'Bearer not-a-key' }],
    ['a malformed Authorization header', { authorization: 'Basic abc' }],
  ])('answers 401 with no body for %s', async (_label, headers) => {
    const res = await h.fetch(`${SINGLE}/static-bool`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body: '{"context":{}}',
    });
    expect(res.status).toBe(401);
    expect(await res.text()).toBe('');
  });
});

describe('bad input', () => {
  it('answers 400 INVALID_CONTEXT for malformed JSON', async () => {
    const res = await h.evaluate(`${SINGLE}/static-bool`, '{"context": ', keyOf('development'));
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({ key: 'static-bool', errorCode: 'INVALID_CONTEXT' });
  });

  it.each([
    ['an array body', '[1,2]'],
    ['a non-object context', '{"context": "x"}'],
    ['a numeric targetingKey', '{"context": {"targetingKey": 42}}'],
    ['an empty body', ''],
  ])('answers 400 INVALID_CONTEXT for %s', async (_label, body) => {
    const res = await h.evaluate(`${SINGLE}/static-bool`, body, keyOf('development'));
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({ errorCode: 'INVALID_CONTEXT' });
  });

  it('answers 415 for a body that is not JSON by content type', async () => {
    const res = await h.evaluate(`${SINGLE}/static-bool`, 'context=1', keyOf('development'), { 'content-type': 'text/plain' });
    expect(res.status).toBe(415);
  });

  it('answers 413 for a body over the limit, declared or streamed', async () => {
    const big = JSON.stringify({ context: { targetingKey: 'u', blob: 'x'.repeat(70_000) } });
    const declared = await h.evaluate(`${SINGLE}/static-bool`, big, keyOf('development'));
    expect(declared.status).toBe(413);
    const stream = new ReadableStream({
      start(controller) {
        controller.enqueue(new TextEncoder().encode(big));
        controller.close();
      },
    });
    const streamed = await h.fetch(`${SINGLE}/static-bool`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${keyOf('development')}` },
      body: stream,
      duplex: 'half',
    } as RequestInit);
    expect(streamed.status).toBe(413);
  });

  it('never answers 5xx to hostile bodies', async () => {
    const bodies = [
      'null',
      '1',
      '"x"',
      '{"context":null}',
      '{"context":{"$flagd":{"flagKey":1}}}',
      '{"context":{"email":{"a":1}}}',
      '{"context":{"targetingKey":"\\ud800"}}',
      '{"__proto__":{"context":1}}',
      '{"context":{"constructor":{"prototype":1}}}',
      '{'.repeat(5000),
    ];
    for (const body of bodies) {
      for (const path of [`${SINGLE}/banner`, SINGLE]) {
        const res = await h.evaluate(path, body, keyOf('development'));
        expect(res.status, `${path} ${body.slice(0, 40)}`).toBeLessThan(500);
      }
    }
  });
});

describe('OFREP bulk evaluation', () => {
  it('evaluates every flag, failures inline, with an ETag', async () => {
    const res = await h.evaluate(SINGLE, { context: { targetingKey: 'u1' } }, keyOf('development'));
    expect(res.status).toBe(200);
    const etag = res.headers.get('etag');
    expect(etag).toMatch(/^"[0-9a-f]{32}"$/);
    const body = await res.json<{ flags: Record<string, unknown>[]; metadata: Record<string, unknown> }>();
    expect(body.flags.map((f) => f['key'])).toEqual(['static-bool', 'banner', 'code-default', 'disabled', 'broken', 'new-checkout']);
    expect(body.flags[4]).toMatchObject({ key: 'broken', errorCode: 'PARSE_ERROR' });
    expect(body.metadata).toEqual({ team: 'web', flagSetVersion: 3 });
  });

  it('answers 304 for a matching If-None-Match, and 200 once the result changes', async () => {
    const first = await h.evaluate(SINGLE, { context: { email: 'a@example.com' } }, keyOf('development'));
    const etag = first.headers.get('etag')!;
    const again = await h.evaluate(SINGLE, { context: { email: 'a@example.com' } }, keyOf('development'), { 'if-none-match': etag });
    expect(again.status).toBe(304);
    expect(again.headers.get('etag')).toBe(etag);
    expect(await again.text()).toBe('');
    const weak = await h.evaluate(SINGLE, { context: { email: 'a@example.com' } }, keyOf('development'), { 'if-none-match': `"x", W/${etag}` });
    expect(weak.status).toBe(304);
    const changed = await h.evaluate(SINGLE, { context: { email: 'a@rollgate.dev' } }, keyOf('development'), { 'if-none-match': etag });
    expect(changed.status).toBe(200);
    expect(changed.headers.get('etag')).not.toBe(etag);
  });

  it('answers 400 with no key for a bad bulk body', async () => {
    const res = await h.evaluate(SINGLE, '{"context": 3}', keyOf('development'));
    expect(res.status).toBe(400);
    const body = await res.json<Record<string, unknown>>();
    expect(body).toMatchObject({ errorCode: 'INVALID_CONTEXT' });
    expect(body).not.toHaveProperty('key');
  });
});

describe('CORS', () => {
  it('answers preflight with the OFREP headers and exposes ETag', async () => {
    const pre = await h.fetch(SINGLE, {
      method: 'OPTIONS',
      headers: {
        origin: 'https://app.example',
        'access-control-request-method': 'POST',
        'access-control-request-headers': 'content-type,authorization,if-none-match',
      },
    });
    expect(pre.status).toBe(204);
    expect(pre.headers.get('access-control-allow-origin')).toBe('*');
    expect(pre.headers.get('access-control-allow-headers')?.toLowerCase()).toContain('if-none-match');
    const res = await h.evaluate(SINGLE, { context: {} }, keyOf('development'), { origin: 'https://app.example' });
    expect(res.headers.get('access-control-expose-headers')?.toLowerCase()).toContain('etag');
  });
});

describe('snapshot memo', () => {
  it('reads KV only on a cold isolate and once per refresh interval', async () => {
    await h.evaluate(`${SINGLE}/static-bool`, { context: {} }, keyOf('development'));
    const cold = h.kv.reads;
    expect(cold).toBe(ENVS.length);
    for (let i = 0; i < 50; i++) {
      h.now += 50;
      await h.evaluate(i % 2 ? SINGLE : `${SINGLE}/banner`, { context: { targetingKey: `u${i}` } }, keyOf('development'));
    }
    expect(h.kv.reads).toBe(cold);
    h.now += 5000;
    await h.evaluate(`${SINGLE}/static-bool`, { context: {} }, keyOf('development'));
    expect(h.kv.reads).toBe(cold + ENVS.length);
  });

  it('serves a new version after the refresh interval, and never goes back to an older one', async () => {
    const version = async () =>
      (await (await h.evaluate(`${SINGLE}/static-bool`, { context: {} }, keyOf('staging'))).json<{ metadata: { flagSetVersion: number } }>()).metadata
        .flagSetVersion;
    expect(await version()).toBe(3);
    await h.publish(await snapshotOf('staging', 4));
    expect(await version()).toBe(3);
    h.now += 5001;
    expect(await version()).toBe(4);
    await h.publish(await snapshotOf('staging', 2));
    h.now += 5001;
    expect(await version()).toBe(4);
  });

  it('keeps the last good snapshot when KV fails or holds garbage', async () => {
    await h.evaluate(`${SINGLE}/static-bool`, { context: {} }, keyOf('development'));
    h.kv.failing = true;
    h.now += 6000;
    const duringOutage = await h.evaluate(`${SINGLE}/static-bool`, { context: {} }, keyOf('development'));
    expect(duringOutage.status).toBe(200);
    const health = await (
      await h.fetch('/health')
    ).json<{ environments: Record<string, { source: string; lastError?: string }>; kv: { reachable: boolean } }>();
    expect(health.environments['development']).toMatchObject({ source: 'last-known-good' });
    expect(health.kv.reachable).toBe(false);
    h.kv.failing = false;
    await h.putRaw('development', '{"flags": garbage');
    h.now += 6000;
    const garbage = await h.evaluate(`${SINGLE}/static-bool`, { context: {} }, keyOf('development'));
    expect((await garbage.json<{ metadata: { flagSetVersion: number } }>()).metadata.flagSetVersion).toBe(3);
    await h.putRaw('development', JSON.stringify({ flags: {}, $rollgate: { format: 2 } }));
    h.now += 6000;
    expect((await h.evaluate(`${SINGLE}/static-bool`, { context: {} }, keyOf('development'))).status).toBe(200);
  });

  it('serves the bundled fallback to fallback keys when KV never answered', async () => {
    h.kv.failing = true;
    h.vars = { FALLBACK_CLIENT_KEYS: JSON.stringify({ production: [await sha('fallback-prod')] }) };
    const res = await h.evaluate(`${SINGLE}/new-checkout`, { context: { targetingKey: 'u' } }, 'fallback-prod');
    expect(res.status).toBe(200);
    expect((await res.json<{ metadata: Record<string, unknown> }>()).metadata['flagSetVersion']).toBe(0);
    expect((await h.evaluate(`${SINGLE}/new-checkout`, { context: {} }, keyOf('production'))).status).toBe(401);
    const health = await h.fetch('/health');
    expect(health.status).toBe(503);
    expect((await health.json<{ environments: Record<string, { source: string }> }>()).environments['production']!.source).toBe('fallback');
  });
});

describe('snapshot refresh', () => {
  const versionOf = async (res: Promise<Response>) => (await (await res).json<{ metadata: { flagSetVersion: number } }>()).metadata.flagSetVersion;

  it("switches from the bundled fallback to KV once KV answers, for the environment's own keys too", async () => {
    h.kv.failing = true;
    h.vars = { FALLBACK_CLIENT_KEYS: JSON.stringify({ production: [await sha('fallback-prod')] }) };
    expect(await versionOf(h.evaluate(`${SINGLE}/new-checkout`, { context: {} }, 'fallback-prod'))).toBe(0);
    expect((await h.evaluate(`${SINGLE}/new-checkout`, { context: {} }, keyOf('production'))).status).toBe(401);

    h.kv.failing = false;
    h.now += 5001;
    const res = await h.evaluate(`${SINGLE}/new-checkout`, { context: {} }, keyOf('production'));
    expect(res.status).toBe(200);
    expect((await res.json<{ metadata: { flagSetVersion: number } }>()).metadata.flagSetVersion).toBe(3);
    const health = await h.fetch('/health');
    expect(health.status).toBe(200);
    expect((await health.json<{ environments: Record<string, { source: string; version: number }> }>()).environments['production']).toMatchObject({
      source: 'kv',
      version: 3,
    });
  });

  it('requests that arrive while a refresh waits on KV share its one read and are all answered from the new snapshot', async () => {
    const key = keyOf('staging');
    expect(await versionOf(h.evaluate(`${SINGLE}/static-bool`, { context: {} }, key))).toBe(3);
    await h.publish(await snapshotOf('staging', 4));
    h.now += 5001;
    let release = () => {};
    h.kv.held = new Promise<void>((r) => (release = r));
    const reads = h.kv.reads;
    const first = versionOf(h.evaluate(`${SINGLE}/static-bool`, { context: {} }, key));
    // Let the first request start the KV reads, then send more while they are held.
    while (h.kv.reads === reads) await new Promise((r) => setTimeout(r, 1));
    await new Promise((r) => setTimeout(r, 10));
    const readsOfRefresh = h.kv.reads;
    const during = Array.from({ length: 5 }, (_, i) => versionOf(h.evaluate(`${SINGLE}/static-bool`, { context: { targetingKey: `u${i}` } }, key)));
    await new Promise((r) => setTimeout(r, 10));
    expect(h.kv.reads).toBe(readsOfRefresh);
    h.kv.held = null;
    release();
    expect(await Promise.all([first, ...during])).toEqual([4, 4, 4, 4, 4, 4]);
    expect(h.kv.reads).toBe(readsOfRefresh);
  });
});

describe('FLAG_OVERRIDES', () => {
  it('forces a variant with reason STATIC and override metadata, and ignores a bad override', async () => {
    h.vars = { FLAG_OVERRIDES: JSON.stringify({ development: { 'new-checkout': 'on', banner: 'no-such-variant' } }) };
    const forced = await h.evaluate(`${SINGLE}/new-checkout`, { context: {} }, keyOf('development'));
    expect(await forced.json()).toMatchObject({ value: true, variant: 'on', reason: 'STATIC', metadata: { override: true } });
    const untouched = await h.evaluate(`${SINGLE}/banner`, { context: { email: 'x@rollgate.dev' } }, keyOf('development'));
    expect(await untouched.json()).toMatchObject({ variant: 'staff', reason: 'TARGETING_MATCH' });
    const otherEnv = await h.evaluate(`${SINGLE}/new-checkout`, { context: {} }, keyOf('staging'));
    expect(await otherEnv.json()).toMatchObject({ value: false });
  });

  it('forces a variant with no KV at all, over the bundled fallback', async () => {
    h.kv.failing = true;
    h.vars = {
      FALLBACK_CLIENT_KEYS: JSON.stringify({ production: [await sha('fallback-prod')] }),
      FLAG_OVERRIDES: JSON.stringify({ production: { 'new-checkout': 'on' } }),
    };
    const res = await h.evaluate(`${SINGLE}/new-checkout`, { context: { targetingKey: 'u' } }, 'fallback-prod');
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ value: true, variant: 'on', reason: 'STATIC', metadata: { override: true, flagSetVersion: 0 } });
  });

  it('wins over an active rollout, for users in the cohort and key-less requests alike', async () => {
    await h.publish(await snapshotOf('development', 4, { rollouts: { 'new-checkout': { id: 'ro-1', variant: 'on', percent: 100 } } }));
    const rolled = await h.evaluate(`${SINGLE}/new-checkout`, { context: { targetingKey: 'u' } }, keyOf('development'));
    expect(await rolled.json()).toMatchObject({ value: true, variant: 'on', reason: 'SPLIT', metadata: { rolloutId: 'ro-1' } });

    h.vars = { FLAG_OVERRIDES: JSON.stringify({ development: { 'new-checkout': 'off' } }) };
    for (const context of [{ targetingKey: 'u' }, {}]) {
      const res = await h.evaluate(`${SINGLE}/new-checkout`, { context }, keyOf('development'));
      expect(await res.json()).toMatchObject({ value: false, variant: 'off', reason: 'STATIC', metadata: { override: true } });
    }
  });

  it('ignores FLAG_OVERRIDES that are not valid JSON', async () => {
    h.vars = { FLAG_OVERRIDES: '{oops' };
    const res = await h.evaluate(`${SINGLE}/new-checkout`, { context: {} }, keyOf('development'));
    expect(await res.json()).toMatchObject({ value: false, reason: 'STATIC' });
  });
});

describe('health', () => {
  it('reports version and age per environment', async () => {
    h.now = Date.UTC(2026, 10, 27, 12, 1, 30);
    const res = await h.fetch('/health');
    expect(res.status).toBe(200);
    const body = await res.json<{ status: string; environments: Record<string, unknown> }>();
    expect(body.status).toBe('ok');
    expect(body.environments['staging']).toEqual({ status: 'ok', version: 3, source: 'kv', publishedAt: '2026-11-27T12:00:00.000Z', ageSeconds: 90 });
  });

  it('has a trivial liveness route, and JSON 404s', async () => {
    expect(await (await h.fetch('/health/live')).text()).toBe('ok');
    const missing = await h.fetch('/nope');
    expect(missing.status).toBe(404);
    expect(await missing.json()).toHaveProperty('errorDetails');
  });
});

describe('the deployed entry point', () => {
  it('serves OFREP through the default export', async () => {
    const res = await exports.default.fetch(
      new Request(`https://rollgate.test${SINGLE}/static-bool`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-api-key': keyOf('production') },
        body: '{"context":{}}',
      }),
    );
    expect(res.status).toBe(200);
  });
});

async function sha(text: string): Promise<string> {
  const d = new Uint8Array(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(text)));
  return [...d].map((b) => b.toString(16).padStart(2, '0')).join('');
}
