/**
 * Semantic versions as flagd-core reads them, through the `semver` package: `parse` (strict),
 * `coerce` for partial versions, and `compare`. Build metadata is dropped: it never affects order.
 */
export interface SemVer {
  readonly major: number;
  readonly minor: number;
  readonly patch: number;
  /** Numeric identifiers below Number.MAX_SAFE_INTEGER are numbers, the rest strings. */
  readonly prerelease: readonly (string | number)[];
}

/** semver's MAX_LENGTH: longer input is not a version. */
const MAX_LENGTH = 256;
const NUM = '(0|[1-9]\\d*)';
const PRE_ID = '(?:\\d*[a-zA-Z-][a-zA-Z0-9-]*|0|[1-9]\\d*)';
/** semver's FULL: an optional `v`, three numbers, an optional prerelease, optional build metadata. */
const FULL = new RegExp(`^v?${NUM}\\.${NUM}\\.${NUM}(?:-(${PRE_ID}(?:\\.${PRE_ID})*))?(?:\\+[a-zA-Z0-9-]+(?:\\.[a-zA-Z0-9-]+)*)?$`);
/** What flagd-core lets through to `coerce`: digits, optionally a dot and more digits. */
const PARTIAL = /^\d+(\.\d+)?$/;
/** semver's COERCE: the first run of up to three dot-separated numbers of at most 16 digits. */
const COERCE = /(^|[^\d])(\d{1,16})(?:\.(\d{1,16}))?(?:\.(\d{1,16}))?(?:$|[^\d])/;
const NUMERIC = /^[0-9]+$/;

/**
 * Parses a version as flagd-core does: one leading v/V is dropped, the rest must be a strict
 * semantic version, or digits with at most one dot, which `coerce` completes ("1.2" → 1.2.0).
 * Numbers are read as their decimal text. Anything else is null.
 */
export function parseSemVer(raw: unknown): SemVer | null {
  const key = typeof raw === 'string' ? raw : String(raw);
  const hit = memo.get(key);
  if (hit !== undefined) return hit;
  // Versions repeat across requests (a handful of app versions in the field): parse each once.
  if (memo.size >= MEMO_LIMIT) memo.clear();
  const parsed = parseUncached(key);
  memo.set(key, parsed);
  return parsed;
}

const MEMO_LIMIT = 4096;
const memo = new Map<string, SemVer | null>();

function parseUncached(raw: string): SemVer | null {
  const str = raw.replace(/^[vV]/, '');
  const strict = parseStrict(str);
  if (strict || !PARTIAL.test(str)) return strict;
  // coerce() scans for the first 1–16 digit run, so an over-long first number is skipped over.
  const m = COERCE.exec(str);
  return m ? parseStrict(`${m[2]}.${m[3] ?? '0'}.${m[4] ?? '0'}`) : null;
}

/** semver's `parse`: length checked before trimming, numbers beyond MAX_SAFE_INTEGER refused. */
function parseStrict(version: string): SemVer | null {
  if (version.length > MAX_LENGTH) return null;
  const m = FULL.exec(version.trim());
  if (!m) return null;
  const major = +m[1]!;
  const minor = +m[2]!;
  const patch = +m[3]!;
  if (major > Number.MAX_SAFE_INTEGER || minor > Number.MAX_SAFE_INTEGER || patch > Number.MAX_SAFE_INTEGER) return null;
  const prerelease = m[4] ? m[4].split('.').map(numberify) : [];
  return { major, minor, patch, prerelease };
}

/** semver keeps a numeric identifier as a string unless it is strictly below MAX_SAFE_INTEGER. */
function numberify(id: string): string | number {
  if (NUMERIC.test(id)) {
    const n = +id;
    if (n >= 0 && n < Number.MAX_SAFE_INTEGER) return n;
  }
  return id;
}

/** Semantic-version precedence (semver's `compare`): -1, 0 or 1. */
export function compareSemVer(a: SemVer, b: SemVer): number {
  if (a.major !== b.major) return a.major < b.major ? -1 : 1;
  if (a.minor !== b.minor) return a.minor < b.minor ? -1 : 1;
  if (a.patch !== b.patch) return a.patch < b.patch ? -1 : 1;
  const pa = a.prerelease;
  const pb = b.prerelease;
  if (pa.length && !pb.length) return -1;
  if (!pa.length && pb.length) return 1;
  for (let i = 0; ; i++) {
    const x = pa[i];
    const y = pb[i];
    if (x === undefined && y === undefined) return 0;
    if (y === undefined) return 1;
    if (x === undefined) return -1;
    if (x === y) continue;
    // semver returns this even when it is 0 (two huge numeric strings that round alike).
    return compareIdentifiers(x, y);
  }
}

/** semver's `compareIdentifiers`: numbers before strings, all-digit strings compared as numbers. */
function compareIdentifiers(a: string | number, b: string | number): number {
  if (typeof a === 'number' && typeof b === 'number') return a === b ? 0 : a < b ? -1 : 1;
  const anum = NUMERIC.test(String(a));
  const bnum = NUMERIC.test(String(b));
  const x = anum && bnum ? +a : a;
  const y = anum && bnum ? +b : b;
  if (x === y) return 0;
  if (anum && !bnum) return -1;
  if (bnum && !anum) return 1;
  return x < y ? -1 : 1;
}
