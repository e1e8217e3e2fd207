import * as z from 'zod';
import { zEnvironmentName } from './config';
import { zPublishedFlagSet } from './flag-set';

/** What a client key may do: `evaluate` (OFREP; safe in a browser) and `report` (POST /v1/metrics; server-side secret). */
export const zKeyScope = z.enum(['evaluate', 'report']);
export type KeyScope = z.infer<typeof zKeyScope>;

/**
 * A client key as stored: its name, the SHA-256 of the secret (never the secret) and its scopes.
 * Snapshots published before scopes existed have none: such keys are evaluate-only.
 */
export const zClientKeyHash = z.object({
  name: z.string().min(1),
  sha256: z.string().regex(/^[0-9a-f]{64}$/, 'a lowercase hex SHA-256'),
  scopes: z.array(zKeyScope).min(1).optional(),
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
