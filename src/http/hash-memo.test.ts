import { describe, expect, it } from 'vitest';
import { sha256Hex } from '../core/sha256';
import { HashMemo } from './hash-memo';

describe('HashMemo', () => {
  it('answers the SHA-256 of a key, from memory once it is remembered', async () => {
    let digests = 0;
    const memo = new HashMemo(async (t) => {
      digests++;
      return sha256Hex(t);
    });
    const hash = await memo.of('dev-client-staging');
    expect(hash).toBe(await sha256Hex('dev-client-staging'));
    memo.remember('dev-client-staging', hash);
    expect(await memo.of('dev-client-staging')).toBe(hash);
    expect(digests).toBe(1);
  });

  it('a flood of unknown keys does not evict the known ones', async () => {
    let digests = 0;
    const memo = new HashMemo(async (t) => (digests++, `h-${t}`));
    memo.remember('known-key', await memo.of('known-key'));
    for (let i = 0; i < 5000; i++) await memo.of(`unknown-${i}`);
    digests = 0;
    expect(await memo.of('known-key')).toBe('h-known-key');
    expect(digests).toBe(0);
  });

  it('keeps a bounded number of characters however long the keys an unauthenticated client sends (no isolate memory exhaustion)', async () => {
    const memo = new HashMemo(async (t) => `h${t.length}`);
    // 2,000 requests, each with a 100 KB "key": without a bound the memo would hold ~100 MB.
    for (let i = 0; i < 2000; i++) memo.remember(`${i}-${'x'.repeat(100_000)}`, await memo.of(`${i}-${'x'.repeat(100_000)}`));
    expect(memo.retainedChars()).toBeLessThanOrEqual(1024 * 256);
    // Long keys are still hashed, just not kept.
    expect(await memo.of('y'.repeat(1000))).toBe('h1000');
  });
});
