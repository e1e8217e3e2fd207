import { applyOverrides, type FlagOverrides } from '../core/flags/overrides';
import { type CompiledFlagSet, compileFlagSet } from '../core/flags/flag-set';
import { scopeMask } from '../core/key-scopes';
import type { TickFailureNote } from '../core/schema/snapshot';
import type { TrustedSnapshot } from './snapshot-shape';

/** Where the snapshot being served came from. */
export type SnapshotSource = 'kv' | 'fallback';

/** A snapshot compiled and ready to serve, with what health reporting needs. */
export interface LoadedSnapshot {
  environment: string;
  version: number;
  /** Milliseconds since the epoch. */
  publishedAt: number;
  source: SnapshotSource;
  flags: CompiledFlagSet;
  /** SHA-256 hex of every client key allowed in this environment. */
  keyHashes: readonly string[];
  /** Rollouts the coordinator holds because their tick fails, for /health. */
  tickFailures: readonly TickFailureNote[];
  /** The scope bitmask (core/key-scopes) of each key, by index in keyHashes. */
  keyScopes: readonly number[];
  /** `<env>:<key name>` of each key, by index in keyHashes: what rate limits count by (never the secret). */
  keyIds: readonly string[];
  /** The raw KV text it was parsed from, to skip re-parsing an unchanged value. */
  raw: string | undefined;
}

/**
 * Loads a snapshot (a validated Snapshot, or one from KV that passed trustedSnapshotOf), laying
 * break-glass overrides on top; its flags compile on first use.
 */
export function loadSnapshot(
  snapshot: TrustedSnapshot,
  source: SnapshotSource,
  overrides: FlagOverrides,
  raw?: string,
): { loaded: LoadedSnapshot; ignoredOverrides: { flag: string; reason: string }[] } {
  const { $rollgate: envelope, ...set } = snapshot;
  const { set: effective, ignored } = applyOverrides(set, overrides);
  const flags = compileFlagSet(effective, { flagSetVersion: envelope.version });
  return {
    loaded: {
      environment: envelope.environment,
      version: envelope.version,
      publishedAt: Date.parse(envelope.publishedAt),
      source,
      flags,
      keyHashes: envelope.clientKeys.map((k) => k.sha256),
      tickFailures: envelope.tickFailures ?? [],
      keyScopes: envelope.clientKeys.map((k) => scopeMask(k.scopes)),
      keyIds: envelope.clientKeys.map((k) => `${envelope.environment}:${k.name}`),
      raw,
    },
    ignoredOverrides: ignored,
  };
}
