import * as z from 'zod';
import { zEnvironmentName } from './config';
import { zPublishedFlagSet } from './flag-set';

/** A client key as stored: its name and the SHA-256 of the secret, never the secret. */
export const zClientKeyHash = z.object({
  name: z.string().min(1),
  sha256: z.string().regex(/^[0-9a-f]{64}$/, 'a lowercase hex SHA-256'),
});
export type ClientKeyHash = z.infer<typeof zClientKeyHash>;

/** Rollgate's envelope around the flagd document published for one environment. */
export const zSnapshotEnvelope = z.object({
  format: z.literal(1),
  environment: zEnvironmentName,
  version: z.number().int().nonnegative(),
  publishedAt: z.iso.datetime(),
  clientKeys: z.array(zClientKeyHash),
});
export type SnapshotEnvelope = z.infer<typeof zSnapshotEnvelope>;

/** The KV value of an environment: plain flagd JSON (overlays resolved, rollouts applied) plus `$rollgate`. */
export const zSnapshot = zPublishedFlagSet.extend({ $rollgate: zSnapshotEnvelope });
export type Snapshot = z.infer<typeof zSnapshot>;
