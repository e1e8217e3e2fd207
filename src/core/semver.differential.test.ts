/**
 * semver.ts against the `semver` package itself (the library flagd-core calls), over generated
 * versions: well-formed ones with prereleases and build metadata, partial ones ("1", "1.2"),
 * huge numbers, and near-misses. The oracle is flagd-core's use of semver: drop one leading v/V,
 * `parse` strictly, else `coerce` digits with at most one dot; order by `compare`.
 */
import { createRequire } from 'node:module';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { compareSemVer, parseSemVer } from './semver';

interface Parsed {
  major: number;
  minor: number;
  patch: number;
  prerelease: readonly (string | number)[];
}
const semver = createRequire(import.meta.url)('semver') as {
  parse(v: string): Parsed | null;
  coerce(v: string): Parsed | null;
  compare(a: Parsed, b: Parsed): number;
};

function oracle(raw: string): Parsed | null {
  const str = raw.replace(/^[vV]/, '');
  const strict = semver.parse(str);
  if (strict) return strict;
  return /^\d+(\.\d+)?$/.test(str) ? semver.coerce(str) : null;
}

const num = fc.oneof(
  fc.integer({ min: 0, max: 20 }).map(String),
  fc.bigInt({ min: 0n, max: 10n ** 20n }).map(String),
  fc.constantFrom('00', '01', '9007199254740991', '9007199254740992'),
);
const ident = fc.oneof(num, fc.stringMatching(/^[0-9A-Za-z-]{1,6}$/), fc.constantFrom('alpha', 'beta', 'rc', '0a', '-', ''));
const version = fc
  .record({
    v: fc.constantFrom('', 'v', 'V', 'vv', ' '),
    parts: fc.array(num, { minLength: 1, maxLength: 4 }),
    pre: fc.option(fc.array(ident, { minLength: 1, maxLength: 4 }), { nil: undefined }),
    build: fc.option(fc.array(ident, { minLength: 1, maxLength: 3 }), { nil: undefined }),
    tail: fc.constantFrom('', '', '', ' ', '.', 'x'),
  })
  .map(({ v, parts, pre, build, tail }) => `${v}${parts.join('.')}${pre ? `-${pre.join('.')}` : ''}${build ? `+${build.join('.')}` : ''}${tail}`);
/** Versions semver accepts: strict ones with prereleases, and partial ones that coerce. */
const safeNum = fc.oneof(fc.integer({ min: 0, max: 12 }), fc.constant(Number.MAX_SAFE_INTEGER)).map(String);
const preId = fc.oneof(safeNum, fc.constant('99999999999999999999'), fc.stringMatching(/^[0-9]*[A-Za-z-][0-9A-Za-z-]{0,4}$/));
const validVersion = fc.oneof(
  fc
    .tuple(safeNum, safeNum, safeNum, fc.option(fc.array(preId, { minLength: 1, maxLength: 4 }), { nil: undefined }))
    .map(([a, b, c, pre]) => `${a}.${b}.${c}${pre ? `-${pre.join('.')}` : ''}`),
  fc.tuple(safeNum, fc.option(safeNum, { nil: undefined })).map(([a, b]) => (b === undefined ? a : `${a}.${b}`)),
);
const anyVersion = fc.oneof({ weight: 6, arbitrary: version }, { weight: 1, arbitrary: fc.string({ maxLength: 12 }) });

const shape = (p: Parsed | null) => p && { major: p.major, minor: p.minor, patch: p.patch, prerelease: [...p.prerelease] };

describe('semver.ts against the semver package', () => {
  it('parses what semver parses, to the same numbers and prerelease identifiers, and refuses the rest', () => {
    fc.assert(
      fc.property(anyVersion, (raw) => {
        expect(shape(parseSemVer(raw))).toEqual(shape(oracle(raw)));
      }),
      { numRuns: 5000 },
    );
  });

  it('orders any two versions as semver.compare does', () => {
    fc.assert(
      fc.property(validVersion, validVersion, (x, y) => {
        const [a, b] = [oracle(x), oracle(y)];
        expect(a && b).not.toBeNull();
        expect(compareSemVer(parseSemVer(x)!, parseSemVer(y)!)).toBe(semver.compare(a!, b!));
      }),
      { numRuns: 5000 },
    );
  });
});
