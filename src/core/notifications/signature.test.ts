import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { signatureHeader } from './signature';

describe('signatureHeader', () => {
  const body = '{"id":"nd_1","event":"rollout.rolled_back","note":"é ✓"}';

  it('signs "t.body" with HMAC-SHA256 as a receiver verifies it with node:crypto', async () => {
    const header = await signatureHeader(['dev-webhook-secret-staging'], 1_780_000_000, body);
    const expected = createHmac('sha256', 'dev-webhook-secret-staging').update(`1780000000.${body}`).digest('hex');
    expect(header).toBe(`t=1780000000,v1=${expected}`);
  });

  it('gives one v1 per secret, in order, so either side of a rotation verifies', async () => {
    const header = await signatureHeader(['new-secret-0123456789', 'old-secret-0123456789'], 42, body);
    const [t, ...v1] = header.split(',');
    expect(t).toBe('t=42');
    expect(v1).toEqual(['new-secret-0123456789', 'old-secret-0123456789'].map((s) => `v1=${createHmac('sha256', s).update(`42.${body}`).digest('hex')}`));
  });

  it('changes with the time and the body (a replayed signature does not fit another t or body)', async () => {
    const a = await signatureHeader(['s-0123456789abcdef'], 100, body);
    expect(await signatureHeader(['s-0123456789abcdef'], 101, body)).not.toBe(a.replace('t=100', 't=101'));
    expect((await signatureHeader(['s-0123456789abcdef'], 100, `${body} `)).split(',')[1]).not.toBe(a.split(',')[1]);
  });
});
