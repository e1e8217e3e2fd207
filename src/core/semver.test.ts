import { describe, expect, it } from 'vitest';
import { compareSemVer, parseSemVer, type SemVer } from './semver';

const v = (major: number, minor = 0, patch = 0, ...prerelease: (string | number)[]): SemVer => ({ major, minor, patch, prerelease });

describe('parseSemVer', () => {
  it('parses strict versions, dropping build metadata', () => {
    expect(parseSemVer('1.2.3')).toEqual(v(1, 2, 3));
    expect(parseSemVer('1.2.3-rc.1+build.5')).toEqual(v(1, 2, 3, 'rc', 1));
    expect(parseSemVer('0.0.0-0a.00a')).toEqual(v(0, 0, 0, '0a', '00a'));
  });

  it("drops one leading v or V, then allows semver's own v and surrounding spaces", () => {
    expect(parseSemVer('v1.2.3')).toEqual(v(1, 2, 3));
    expect(parseSemVer('V1.2.3')).toEqual(v(1, 2, 3));
    expect(parseSemVer('vv1.2.3')).toEqual(v(1, 2, 3));
    expect(parseSemVer(' 1.2.3 ')).toEqual(v(1, 2, 3));
    expect(parseSemVer('vV1.2.3')).toBeNull();
  });

  it('completes partial versions made only of digits', () => {
    expect(parseSemVer('1')).toEqual(v(1));
    expect(parseSemVer('1.2')).toEqual(v(1, 2));
    expect(parseSemVer('v3')).toEqual(v(3));
    expect(parseSemVer(2)).toEqual(v(2));
    expect(parseSemVer(1.5)).toEqual(v(1, 5));
    expect(parseSemVer(' 1.2')).toBeNull();
    expect(parseSemVer('1.')).toBeNull();
  });

  it("follows semver's coerce on over-long numbers (it skips to the next run of at most 16 digits)", () => {
    expect(parseSemVer('1.12345678901234567')).toEqual(v(1));
    expect(parseSemVer('12345678901234567.5')).toEqual(v(5));
    expect(parseSemVer('12345678901234567')).toBeNull();
  });

  it('refuses leading zeros, extra parts, and over-long or unsafe input', () => {
    for (const bad of ['01.2.3', '1.02', '1.2.3.4', '1.2.3-', '1.2.3-01', '1.2.3-a..b', 'banana', '', 'null', true, null]) {
      expect(parseSemVer(bad), String(bad)).toBeNull();
    }
    expect(parseSemVer('9007199254740991.0.0')).toEqual(v(9007199254740991));
    expect(parseSemVer('9007199254740992.0.0')).toBeNull();
    expect(parseSemVer(`1.0.0-${'a'.repeat(250)}`)).not.toBeNull();
    expect(parseSemVer(`1.0.0-${'a'.repeat(251)}`)).toBeNull();
  });

  it('keeps numeric prerelease identifiers at or above MAX_SAFE_INTEGER as strings', () => {
    expect(parseSemVer('1.0.0-9007199254740990')!.prerelease).toEqual([9007199254740990]);
    expect(parseSemVer('1.0.0-9007199254740991')!.prerelease).toEqual(['9007199254740991']);
  });
});

describe('compareSemVer', () => {
  const cmp = (a: string, b: string) => compareSemVer(parseSemVer(a)!, parseSemVer(b)!);

  it('orders by major, minor, patch, then prerelease', () => {
    expect(cmp('1.2.3', '1.2.3')).toBe(0);
    expect(cmp('1.2.3', '1.10.0')).toBe(-1);
    expect(cmp('2.0.0', '1.99.99')).toBe(1);
    expect(cmp('1.0.0-alpha', '1.0.0')).toBe(-1);
    expect(cmp('1.0.0', '1.0.0-alpha')).toBe(1);
    expect(cmp('1.0.0+a', '1.0.0+b')).toBe(0);
  });

  it('follows semver.org precedence among prerelease identifiers', () => {
    const ordered = ['1.0.0-alpha', '1.0.0-alpha.1', '1.0.0-alpha.beta', '1.0.0-beta', '1.0.0-beta.2', '1.0.0-beta.11', '1.0.0-rc.1', '1.0.0'];
    for (let i = 1; i < ordered.length; i++) {
      expect(cmp(ordered[i - 1]!, ordered[i]!), `${ordered[i - 1]} < ${ordered[i]}`).toBe(-1);
      expect(cmp(ordered[i]!, ordered[i - 1]!)).toBe(1);
    }
  });

  it('compares huge numeric identifiers as numbers, as semver does (they may round equal)', () => {
    expect(cmp('1.0.0-99999999999999999999', '1.0.0-99999999999999999998')).toBe(0);
    expect(cmp('1.0.0-9007199254740991', '1.0.0-1')).toBe(1);
    expect(cmp('1.0.0-9007199254740991', '1.0.0-a')).toBe(-1);
  });
});
