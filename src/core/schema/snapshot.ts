import * as z from 'zod';
import { zEnvironmentName } from './config';
import { zPublishedFlagSet } from './flag-set';

/** A client key as stored: its name and the SHA-256 of the secret, never the secret. */
export const zClientKeyHash = z.object({
  name: z.string().min(1),
  sha256: z.string().regex(/^[0-9a-f]{64}$/, 'a lowercase hex SHA-256'),
});
export type ClientKeyHash = z.infer<typeof zClientKeyHash>;

/**
 * The highest snapshot version the edge accepts from KV. Far above what a coordinator publishes
 * (one a second for 30,000 years), so a forged value near 2^53 is garbage, not a version to pin
 * isolates to, and a repair can always publish above any version it finds.
 */
export const MAX_SNAPSHOT_VERSION = 2 ** 40;

/**
 * Nesting the edge accepts in a snapshot (root = depth 0). Configs are limited to 64 levels; the
 * snapshot adds its envelope (flags → flag → targeting) and overlays add none, so 100 leaves room
 * and anything deeper is garbage, refused before zod walks it recursively.
 */
export const MAX_SNAPSHOT_DEPTH = 100;

/** KV's value limit: a longer text in `snapshot:<env>` is garbage and is not parsed. */
export const MAX_SNAPSHOT_CHARS = 25 * 1024 * 1024;

/** Rollgate's envelope around the flagd document published for one environment. */
export const zSnapshotEnvelope = z.object({
  format: z.literal(1),
  environment: zEnvironmentName,
  version: z.number().int().nonnegative().max(MAX_SNAPSHOT_VERSION),
  publishedAt: z.iso.datetime().refine((s) => Number.isFinite(Date.parse(s)), 'a date that exists'),
  clientKeys: z.array(zClientKeyHash),
});
export type SnapshotEnvelope = z.infer<typeof zSnapshotEnvelope>;

/** The KV value of an environment: plain flagd JSON (overlays resolved, rollouts applied) plus `$rollgate`. */
export const zSnapshot = zPublishedFlagSet.extend({ $rollgate: zSnapshotEnvelope });
export type Snapshot = z.infer<typeof zSnapshot>;
