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
 * The highest snapshot version the edge accepts. A value above it in KV is garbage (served as
 * last-known-good), so a forged huge version cannot pin isolates, and the coordinator's repair
 * (which publishes above any version it finds in KV) never has to exceed it.
 */
export const MAX_SNAPSHOT_VERSION = 2 ** 40;

/** A rollout whose coordinator tick fails (held), for the edge's /health. */
export const zTickFailureNote = z.object({ rollout: z.string(), flag: z.string(), since: z.iso.datetime() });
export type TickFailureNote = z.infer<typeof zTickFailureNote>;

/** Rollgate's envelope around the flagd document published for one environment. */
export const zSnapshotEnvelope = z.object({
  format: z.literal(1),
  environment: zEnvironmentName,
  version: z.number().int().nonnegative().max(MAX_SNAPSHOT_VERSION),
  publishedAt: z.iso.datetime(),
  clientKeys: z.array(zClientKeyHash),
  /** Rollouts held because their tick fails; absent when none. */
  tickFailures: z.array(zTickFailureNote).max(1000).optional(),
});
export type SnapshotEnvelope = z.infer<typeof zSnapshotEnvelope>;

/** The KV value of an environment: plain flagd JSON (overlays resolved, rollouts applied) plus `$rollgate`. */
export const zSnapshot = zPublishedFlagSet.extend({ $rollgate: zSnapshotEnvelope });
export type Snapshot = z.infer<typeof zSnapshot>;
