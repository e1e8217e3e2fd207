/**
 * Whether `npm start` may write config/flags.json into an environment. It must never undo work:
 * a protected environment is written only when empty, and a config someone changed through the
 * API since the last seed is never overwritten, protected or not.
 */

/** What npm start last wrote into an environment: the file's SHA-256 and the config version it became. */
export interface SeedMark {
  hash: string;
  version: number;
}

/** Everything the decision depends on, read before any write. */
export interface SeedInputs {
  /** The live config version; null when the environment has no config yet. */
  liveVersion: number | null;
  /** The live config is the document the file would write (nothing to do). */
  liveMatchesFile: boolean;
  /** The seed record's entry for this environment; null when npm start never seeded it (in this state). */
  lastSeed: SeedMark | null;
  /** SHA-256 of config/flags.json as it is now. */
  fileHash: string;
  /** The live config, or the file, marks the environment protected (production by default). */
  protected: boolean;
}

/** Why a seed was skipped. */
export type SkipReason =
  /** The file changed since the last seed, but the environment is protected: push it deliberately. */
  | 'protected'
  /** The live version is not the one npm start wrote: someone changed it through the API. */
  | 'changed-through-api'
  /** The environment has a config that no seed record accounts for (written through the API, or older state). */
  | 'not-seeded';

export type SeedDecision =
  /** PUT the file with If-Match of `ifMatch` (0: no config yet), so a concurrent write is never overwritten. */
  | { action: 'seed'; ifMatch: number }
  /** The live config already is the file; `record` says whether the seed record must learn {fileHash, liveVersion}. */
  | { action: 'up-to-date'; version: number; record: boolean }
  | { action: 'skip'; reason: SkipReason; version: number };

/** Decides what npm start does with one environment's config. */
export function decideSeed(i: SeedInputs): SeedDecision {
  if (i.liveVersion === null) return { action: 'seed', ifMatch: 0 };
  const version = i.liveVersion;
  if (i.liveMatchesFile) {
    const known = i.lastSeed !== null && i.lastSeed.hash === i.fileHash && i.lastSeed.version === version;
    return { action: 'up-to-date', version, record: !known };
  }
  if (i.lastSeed === null) return { action: 'skip', reason: 'not-seeded', version };
  if (i.lastSeed.version !== version) return { action: 'skip', reason: 'changed-through-api', version };
  // The live config is what the last seed wrote; if the file is the same, there is nothing new to write.
  if (i.lastSeed.hash === i.fileHash) return { action: 'up-to-date', version, record: false };
  if (i.protected) return { action: 'skip', reason: 'protected', version };
  return { action: 'seed', ifMatch: version };
}

/** What npm start says about a skipped environment: what it kept, why, and (last, to copy) how to push. */
export function describeSkip(
  environment: string,
  decision: { reason: SkipReason; version: number },
  lastSeed: SeedMark | null,
  file: string,
  pushCommand: string,
): string {
  const kept = `kept config version ${decision.version}`;
  switch (decision.reason) {
    case 'protected':
      return `${kept}; ${file} changed since the last seed, but "${environment}" is protected, so npm start does not write it. To apply it: ${pushCommand}`;
    case 'changed-through-api':
      return `${kept}; it was changed through the admin API ${lastSeed ? `after npm start seeded version ${lastSeed.version}` : 'while npm start was seeding'}, so ${file} does not overwrite it. To replace it with ${file}: ${pushCommand}`;
    case 'not-seeded':
      return `${kept}; npm start did not write it (no seed record for it), so ${file} does not overwrite it. To replace it with ${file}: ${pushCommand}`;
  }
}
