import { zEnvironmentName } from './config';
import { zPublishedFlagSet } from './flag-set';
import * as z from './zod';

/** What a client key may do: `evaluate` (OFREP; safe in a browser) and `report` (POST /v1/metrics; server-side secret). */
export const zKeyScope = z.enum(['evaluate', 'report']);
export type KeyScope = z.infer<typeof zKeyScope>;

/**
 * A client key as stored: its name, the SHA-256 of the secret (never the secret) and its scopes.
 * Snapshots published before scopes existed have none: such keys are evaluate-only.
 */
export const zClientKeyHash = z.object({
  name: z.string().check(z.minLength(1)),
  sha256: z.string().check(z.regex(/^[0-9a-f]{64}$/, 'a lowercase hex SHA-256')),
  scopes: z.optional(z.array(zKeyScope).check(z.minLength(1))),
});
export type ClientKeyHash = z.infer<typeof zClientKeyHash>;

/**
 * The highest snapshot version the edge accepts from KV. Far above what a coordinator publishes
 * (one a second for 30,000 years), so a forged value near 2^53 is garbage, not a version to pin
 * isolates to, and a repair can always publish above any version it finds.
 */
export const MAX_SNAPSHOT_VERSION = 2 ** 40;

/**
 * The highest version found in KV that a repair publishes above. A forged version beyond it is
 * not chased: chasing it would leave the coordinator too few versions under MAX_SNAPSHOT_VERSION
 * (one forged 2^40 − 1 would make every later publish one the edge refuses). Isolates that took
 * such a version move back to the repair once KV has held it for KV_PROPAGATION_MS.
 */
export const MAX_REPAIR_CHASE_VERSION = 2 ** 39;

/**
 * How long KV may answer an older value after a write (its documented propagation time). An
 * isolate ignores a lower version for this long, as a stale replica; one that KV still answers
 * after it is what KV holds, and is served (so a forged high version cannot pin an isolate).
 */
export const KV_PROPAGATION_MS = 60_000;

/**
 * Nesting the edge accepts in a snapshot (root = depth 0). Configs are limited to 64 levels; the
 * snapshot adds its envelope (flags → flag → targeting) and overlays add none, so 100 leaves room
 * and anything deeper is garbage, refused before zod walks it recursively.
 */
export const MAX_SNAPSHOT_DEPTH = 100;

/** KV's value limit: a longer text in `snapshot:<env>` is garbage and is not parsed. */
export const MAX_SNAPSHOT_CHARS = 25 * 1024 * 1024;

/** The most held rollouts an envelope lists (buildSnapshot keeps the first ones): more would make the whole snapshot invalid. */
export const MAX_TICK_FAILURE_NOTES = 1000;

/** A rollout whose coordinator tick fails (held), for the edge's /health. */
export const zTickFailureNote = z.object({ rollout: z.string(), flag: z.string(), since: z.iso.datetime() });
export type TickFailureNote = z.infer<typeof zTickFailureNote>;

/** Rollgate's envelope around the flagd document published for one environment. */
export const zSnapshotEnvelope = z.object({
  format: z.literal(1),
  environment: zEnvironmentName,
  version: z.int().check(z.nonnegative(), z.lte(MAX_SNAPSHOT_VERSION)),
  publishedAt: z.iso.datetime().check(z.refine((s) => Number.isFinite(Date.parse(s)), 'a date that exists')),
  clientKeys: z.array(zClientKeyHash),
  /** Rollouts held because their tick fails; absent when none. */
  tickFailures: z.optional(z.array(zTickFailureNote).check(z.maxLength(MAX_TICK_FAILURE_NOTES))),
});
export type SnapshotEnvelope = z.infer<typeof zSnapshotEnvelope>;

/** The KV value of an environment: plain flagd JSON (overlays resolved, rollouts applied) plus `$rollgate`. */
export const zSnapshot = z.extend(zPublishedFlagSet, { $rollgate: zSnapshotEnvelope });
export type Snapshot = z.infer<typeof zSnapshot>;
