/** A parsed semantic version; build metadata is dropped because it never affects ordering. */
export interface SemVer {
  major: number;
  minor: number;
  patch: number;
  prerelease: (string | number)[];
}

const NUM = '(0|[1-9]\\d*)';
const PRE_ID = '(?:0|[1-9]\\d*|\\d*[a-zA-Z-][a-zA-Z0-9-]*)';
const FULL = new RegExp(
  `^v?${NUM}\\.${NUM}\\.${NUM}(?:-(${PRE_ID}(?:\\.${PRE_ID})*))?(?:\\+[0-9A-Za-z-]+(?:\\.[0-9A-Za-z-]+)*)?$`,
);
const PARTIAL = /^(\d{1,16})(?:\.(\d{1,16}))?$/;
const DIGITS = /^[0-9]+$/;

/**
 * Parses a version as flagd does: a leading v/V is ignored, "1" and "1.2" mean "1.0.0" and
 * "1.2.0", numbers are read as their decimal text. Anything else is null.
 */
export function parseSemVer(raw: unknown): SemVer | null {
  const str = String(raw).replace(/^[vV]/, '');
  if (str.length > 256) return null;
  const m = FULL.exec(str.trim());
  if (m) {
    const major = +m[1]!;
    const minor = +m[2]!;
    const patch = +m[3]!;
    if (!safe(major) || !safe(minor) || !safe(patch)) return null;
    const prerelease = m[4]
      ? m[4].split('.').map((id) => (DIGITS.test(id) && safe(+id) ? +id : id))
      : [];
    return { major, minor, patch, prerelease };
  }
  const p = PARTIAL.exec(str);
  if (!p) return null;
  if (!/^(0|[1-9]\d*)$/.test(p[1]!) || (p[2] !== undefined && !/^(0|[1-9]\d*)$/.test(p[2]))) return null;
  const major = +p[1]!;
  const minor = p[2] === undefined ? 0 : +p[2];
  if (!safe(major) || !safe(minor)) return null;
  return { major, minor, patch: 0, prerelease: [] };
}

function safe(n: number): boolean {
  return n <= Number.MAX_SAFE_INTEGER;
}

/** Semantic-version precedence: -1, 0 or 1. */
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
    const xn = typeof x === 'number';
    const yn = typeof y === 'number';
    if (xn && !yn) return -1;
    if (yn && !xn) return 1;
    return x < y ? -1 : 1;
  }
}
