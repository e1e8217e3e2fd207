import { Buffer } from 'node:buffer';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { base64url, formatSecret, hex } from './encoding';

describe('encoding', () => {
  it('hex matches Node’s Buffer for any bytes, from a view or a buffer', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 64 }), (bytes) => {
        expect(hex(bytes)).toBe(Buffer.from(bytes).toString('hex'));
        expect(hex(bytes.slice().buffer)).toBe(Buffer.from(bytes).toString('hex'));
      }),
    );
  });

  it('base64url matches Node’s base64url for any bytes', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 64 }), (bytes) => {
        expect(base64url(bytes)).toBe(Buffer.from(bytes).toString('base64url'));
      }),
    );
  });

  it('a secret is its prefix, an underscore and 43 URL-safe characters for 32 bytes', () => {
    const s = formatSecret('rg_production', new Uint8Array(32).fill(255));
    expect(s).toBe(`rg_production_${'_'.repeat(42)}8`);
    expect(s).toMatch(/^rg_production_[A-Za-z0-9_-]{43}$/);
  });
});
