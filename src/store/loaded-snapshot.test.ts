import { describe, expect, it } from 'vitest';
import { SCOPE_EVALUATE, SCOPE_REPORT } from '../core/key-scopes';
import type { Snapshot } from '../core/schema/snapshot';
import { loadSnapshot } from './loaded-snapshot';

const snapshot = (clientKeys: Snapshot['$rollgate']['clientKeys']): Snapshot => ({
  flags: { f: { state: 'ENABLED', variants: { on: true, off: false }, defaultVariant: 'off' } },
  $rollgate: { format: 1, environment: 'staging', version: 3, publishedAt: '2026-11-27T12:00:00.000Z', clientKeys },
});

describe('loadSnapshot: client keys', () => {
  it("keeps each key's scope bits and `<env>:<name>` id by index, never the secret", () => {
    const { loaded } = loadSnapshot(
      snapshot([
        { name: 'web', sha256: 'a'.repeat(64), scopes: ['evaluate'] },
        { name: 'api', sha256: 'b'.repeat(64), scopes: ['report'] },
        { name: 'both', sha256: 'c'.repeat(64), scopes: ['evaluate', 'report'] },
      ]),
      'kv',
      {},
    );
    expect(loaded.keyHashes).toEqual(['a'.repeat(64), 'b'.repeat(64), 'c'.repeat(64)]);
    expect(loaded.keyScopes).toEqual([SCOPE_EVALUATE, SCOPE_REPORT, SCOPE_EVALUATE | SCOPE_REPORT]);
    expect(loaded.keyIds).toEqual(['staging:web', 'staging:api', 'staging:both']);
  });

  it('a key without scopes (a snapshot published before scopes existed) is evaluate-only', () => {
    const { loaded } = loadSnapshot(snapshot([{ name: 'old', sha256: 'd'.repeat(64) }]), 'kv', {});
    expect(loaded.keyScopes).toEqual([SCOPE_EVALUATE]);
  });
});
