import { describe, expect, it } from 'vitest';
import { MAX_REPAIR_CHASE_VERSION, MAX_SNAPSHOT_VERSION } from '../core/schema/snapshot';
import { sha256Hex } from '../core/sha256';
import { type Expected, inspectKvSnapshot, PROPAGATION_GRACE_MS, repairFloor } from './kv-check';

const text = (version: number, extra = ''): string => JSON.stringify({ flags: {}, $rollgate: { format: 1, environment: 'staging', version, extra } });
const NOW = 1_800_000_000_000;

async function expected(raw: string, version: number, lastPublishAt = NOW - 5 * 60_000): Promise<Expected> {
  return { hash: await sha256Hex(raw), version, lastPublishAt, now: NOW };
}

describe('inspectKvSnapshot', () => {
  it('finds its own last write in sync, whatever its content', async () => {
    const mine = text(4);
    expect(await inspectKvSnapshot(mine, await expected(mine, 4))).toEqual({ kind: 'in-sync' });
  });

  it('calls a missing value missing and unparsable text garbage', async () => {
    const e = await expected(text(4), 4);
    expect(await inspectKvSnapshot(null, e)).toMatchObject({ kind: 'missing', version: null });
    expect(await inspectKvSnapshot('{"flags":', e)).toMatchObject({ kind: 'garbage', reason: 'snapshot in KV is not JSON', version: null });
    expect(await inspectKvSnapshot('[]', e)).toMatchObject({ kind: 'garbage', version: null });
    expect(await inspectKvSnapshot('{"$rollgate":null}', e)).toMatchObject({ kind: 'garbage', version: null });
  });

  it('reads no version the edge would refuse: not an integer, negative, or at the ceiling and above', async () => {
    const e = await expected(text(4), 4);
    for (const v of [1.5, -1, MAX_SNAPSHOT_VERSION, MAX_SNAPSHOT_VERSION * 2, Number.MAX_VALUE]) {
      expect(await inspectKvSnapshot(text(v), e), String(v)).toMatchObject({ kind: 'garbage', version: null });
    }
    expect(await inspectKvSnapshot('{"$rollgate":{"version":"9"}}', e)).toMatchObject({ kind: 'garbage' });
    // A version read through the prototype is no version.
    expect(await inspectKvSnapshot('{"__proto__":{"$rollgate":{"version":9}}}', e)).toMatchObject({ kind: 'garbage' });
  });

  it('reports a forged value at, above or below the published version with the version it found', async () => {
    const e = await expected(text(4), 4);
    expect(await inspectKvSnapshot(text(4, 'forged'), e)).toMatchObject({ kind: 'foreign', version: 4, reason: expect.stringContaining('different content') });
    expect(await inspectKvSnapshot(text(1000), e)).toMatchObject({ kind: 'foreign', version: 1000, reason: expect.stringContaining('above') });
    expect(await inspectKvSnapshot(text(MAX_SNAPSHOT_VERSION - 1), e)).toMatchObject({ kind: 'foreign', version: MAX_SNAPSHOT_VERSION - 1 });
    expect(await inspectKvSnapshot(text(2), e)).toMatchObject({ kind: 'foreign', version: 2, reason: expect.stringContaining('below') });
  });

  it('gives KV a minute to show a write before calling an older version a replay', async () => {
    const justNow = await expected(text(4), 4, NOW - PROPAGATION_GRACE_MS + 1);
    expect(await inspectKvSnapshot(text(3), justNow)).toEqual({ kind: 'propagating', version: 3 });
    // Not for a higher or equal version, nor for garbage: those are never KV's lag.
    expect(await inspectKvSnapshot(text(5), justNow)).toMatchObject({ kind: 'foreign' });
    expect(await inspectKvSnapshot(text(4, 'x'), justNow)).toMatchObject({ kind: 'foreign' });
    const later = await expected(text(4), 4, NOW - PROPAGATION_GRACE_MS);
    expect(await inspectKvSnapshot(text(3), later)).toMatchObject({ kind: 'foreign', version: 3 });
  });

  it('checks once more when no hash of the last write is recorded (before this check existed)', async () => {
    expect(await inspectKvSnapshot(text(4), { hash: '', version: 4, lastPublishAt: 0, now: NOW })).toMatchObject({
      kind: 'foreign',
      reason: expect.stringContaining('no hash'),
    });
  });
});

describe('repairFloor', () => {
  it('chases a found version below MAX_REPAIR_CHASE_VERSION, and no version at or above it', () => {
    const foreign = (version: number) => ({ kind: 'foreign' as const, reason: 'r', version, sha256: '' });
    expect(repairFloor(foreign(1000))).toBe(1000);
    expect(repairFloor(foreign(MAX_REPAIR_CHASE_VERSION - 1))).toBe(MAX_REPAIR_CHASE_VERSION - 1);
    expect(repairFloor(foreign(MAX_REPAIR_CHASE_VERSION))).toBe(0);
    expect(repairFloor(foreign(MAX_SNAPSHOT_VERSION - 1))).toBe(0);
    expect(repairFloor({ kind: 'garbage', reason: 'r', version: null })).toBe(0);
  });
});
