import { firstProtoKey, firstTooDeep } from '../core/json-depth';
import { firstIssue } from '../core/config/issues';
import { isPlainObject } from '../core/json';
import type { RawFlagSet } from '../core/flags/flag-set';
import { zPublishedFlagSet } from '../core/schema/flag-set';
import { MAX_SNAPSHOT_DEPTH, type SnapshotEnvelope, zSnapshotEnvelope } from '../core/schema/snapshot';

/** A snapshot as the edge takes it from KV: the envelope and shared parts validated, flags checked for shape only. */
export interface TrustedSnapshot extends RawFlagSet {
  readonly $rollgate: SnapshotEnvelope;
}

/**
 * The edge's check of a snapshot from KV, instead of re-running the whole zod schema: the
 * coordinator validated every flag before it published, and re-validating 10,000 flags made a
 * cold isolate's first users wait (~80 ms). KV is still outside data, so this refuses what would
 * crash or mis-evaluate before anything reads it: a wrong top-level shape, a `flags` that is not
 * an object, a flag that is not an object, `__proto__` keys (which zod and spreads would turn into
 * prototypes) anywhere but inside a flag, and an envelope, shared rules or set metadata that do not
 * pass their schemas (small, so the schema is cheap there). Each flag itself is validated and
 * compiled on first use (core/flags/lazy-flag.ts): a bad one answers PARSE_ERROR alone.
 */
export function trustedSnapshotOf(json: unknown): TrustedSnapshot | string {
  if (!isPlainObject(json)) return 'snapshot in KV is not a JSON object';
  if (Object.hasOwn(json, '__proto__')) return 'snapshot in KV has a "__proto__" key';
  const { flags, $evaluators, metadata, $rollgate } = json;
  if (!isPlainObject(flags)) return 'snapshot in KV is invalid at /flags: not an object';
  for (const key of Object.keys(flags)) {
    if (key === '__proto__') return 'snapshot in KV has a flag named "__proto__"';
    if (!isPlainObject(flags[key])) return `snapshot in KV is invalid at /flags/${key}: not an object`;
  }
  const shared = { $evaluators, metadata, $rollgate };
  const tooDeep = firstTooDeep(shared, MAX_SNAPSHOT_DEPTH - 1);
  if (tooDeep !== null) return `snapshot in KV is nested deeper than ${MAX_SNAPSHOT_DEPTH} levels at ${tooDeep}`;
  const proto = firstProtoKey(shared);
  if (proto !== null) return `snapshot in KV has a "__proto__" key at ${proto}`;
  const envelope = zSnapshotEnvelope.safeParse($rollgate);
  if (!envelope.success) return `snapshot in KV is invalid at ${firstIssue(envelope.error, '/$rollgate')}`;
  // The set's schema on the set without its flags: the shared rules and metadata only.
  const set = zPublishedFlagSet.safeParse({ flags: {}, $evaluators, metadata });
  if (!set.success) return `snapshot in KV is invalid at ${firstIssue(set.error)}`;
  return { flags, $evaluators: set.data.$evaluators, metadata: set.data.metadata, $rollgate: envelope.data };
}
