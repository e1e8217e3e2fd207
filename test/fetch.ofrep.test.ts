/**
 * OFREP over the Worker: single and bulk evaluation, client-key authentication, bad input, CORS,
 * and the deployed entry point. How the edge loads, refreshes and overrides its snapshot:
 * fetch.snapshot.test.ts.
 */
import { exports } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import { keyOf, snapshotOf } from './helpers/fixture';
import { edgeEachTest, SINGLE } from './helpers/edge-kit';
import type { Harness } from './helpers/harness';

let h: Harness;
edgeEachTest((harness) => (h = harness));

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

  it('answers 413 for a body over the limit whose Content-Length is not a number (read bounded, not trusted)', async () => {
    const big = JSON.stringify({ context: { targetingKey: 'u', blob: 'x'.repeat(70_000) } });
    const res = await h.fetch(`${SINGLE}/static-bool`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'content-length': 'abc', authorization: `Bearer ${keyOf('development')}` },
      body: big,
    });
    expect(res.status).toBe(413);
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
