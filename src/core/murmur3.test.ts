import { describe, expect, it } from 'vitest';
import MurmurHash3 from 'imurmurhash';
import { murmur3 } from './murmur3';

describe('murmur3', () => {
  it('matches published x86_32 vectors', () => {
    expect(murmur3('')).toBe(0);
    expect(murmur3('', 1)).toBe(0x514e28b7);
    expect(murmur3('hello')).toBe(0x248bfa47);
    expect(murmur3('The quick brown fox jumps over the lazy dog')).toBe(0x2e4ff723);
  });

  it('matches imurmurhash on ASCII strings of every tail length', () => {
    for (let n = 0; n < 40; n++) {
      const s = 'abcdefghijklmnopqrstuvwxyz0123456789-_@.'.slice(0, n);
      expect(murmur3(s)).toBe(new MurmurHash3(s).result() >>> 0);
    }
  });

  it('hashes UTF-8 bytes, not UTF-16 code units', () => {
    const bytes = new TextEncoder().encode('flag👋ünï');
    const latin1 = String.fromCharCode(...bytes);
    expect(murmur3('flag👋ünï')).toBe(new MurmurHash3(latin1).result() >>> 0);
  });

  it('encodes lone surrogates as U+FFFD', () => {
    expect(murmur3('a\ud800b')).toBe(murmur3('a\ufffdb'));
  });
});
