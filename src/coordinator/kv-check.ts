import { MAX_REPAIR_CHASE_VERSION, MAX_SNAPSHOT_VERSION } from '../core/schema/snapshot';
import { sha256Hex } from '../core/sha256';

/** A value read back this soon after the coordinator's own write may still be KV's older copy. */
export const PROPAGATION_GRACE_MS = 60_000;

/** What the coordinator expects `snapshot:<env>` to hold: what it last wrote. */
export interface Expected {
  /** SHA-256 of the text last written; '' when none is recorded. */
  hash: string;
  version: number;
  lastPublishAt: number;
  now: number;
}

/** What KV holds compared with what the coordinator last wrote. */
export type KvFinding =
  | { kind: 'in-sync' }
  /** One of the coordinator's own older versions, read within the grace after a write: not repaired yet. */
  | { kind: 'propagating'; version: number }
  | { kind: 'missing'; reason: string; version: null }
  | { kind: 'garbage'; reason: string; version: null }
  /** JSON with a usable version but not the coordinator's latest text. */
  | { kind: 'foreign'; reason: string; version: number; sha256: string };

/** A finding that needs a repair. */
export type RepairFinding = Extract<KvFinding, { reason: string }>;

/**
 * Compares the KV text with what the coordinator last wrote. The version is read without
 * validating the rest (a repair only needs to publish above it); a version the edge would reject
 * (not an integer, negative, or at or beyond MAX_SNAPSHOT_VERSION) makes the value garbage.
 */
export async function inspectKvSnapshot(raw: string | null, expected: Expected): Promise<KvFinding> {
  if (raw === null) return { kind: 'missing', reason: 'no snapshot in KV', version: null };
  const sha256 = await sha256Hex(raw);
  if (expected.hash !== '' && sha256 === expected.hash) return { kind: 'in-sync' };
  let json: unknown;
  try {
    json = JSON.parse(raw);
  } catch {
    return { kind: 'garbage', reason: 'snapshot in KV is not JSON', version: null };
  }
  const envelope = typeof json === 'object' && json !== null && Object.hasOwn(json, '$rollgate') ? (json as { $rollgate: unknown }).$rollgate : undefined;
  const version =
    typeof envelope === 'object' && envelope !== null && Object.hasOwn(envelope, 'version') ? (envelope as { version: unknown }).version : undefined;
  if (typeof version !== 'number' || !Number.isSafeInteger(version) || version < 0 || version >= MAX_SNAPSHOT_VERSION) {
    return { kind: 'garbage', reason: 'snapshot in KV has no usable $rollgate.version', version: null };
  }
  if (version < expected.version && expected.now - expected.lastPublishAt < PROPAGATION_GRACE_MS) return { kind: 'propagating', version };
  const what =
    expected.hash === ''
      ? 'no hash of the last write is recorded'
      : version === expected.version
        ? 'different content at the published version'
        : version > expected.version
          ? 'a version above the published one'
          : 'a version below the published one';
  return { kind: 'foreign', reason: `snapshot in KV is not the coordinator's (${what}: v${version}, published v${expected.version})`, version, sha256 };
}

/**
 * The version a repair must publish above: the one found in KV, unless it is beyond
 * MAX_REPAIR_CHASE_VERSION (then only the coordinator's own sequence counts, and the edge moves
 * back to the repair after KV_PROPAGATION_MS), so a forgery never uses up the version range.
 */
export function repairFloor(found: RepairFinding): number {
  return found.version !== null && found.version < MAX_REPAIR_CHASE_VERSION ? found.version : 0;
}
