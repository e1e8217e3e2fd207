/** Contexts of the differential test: deterministic (mulberry32), ASCII only. */
import { mulberry32 } from '../seeded-random';

export const ALNUM = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';
export const PRINTABLE = Array.from({ length: 95 }, (_, i) => String.fromCharCode(32 + i)).join('');

/** Scalars and structures chosen to hit every coercion rule of json-logic-engine. */
// prettier-ignore
export const CHAOS: readonly unknown[] = [
  null, 0, 1, -1, 2, 3, 1.5, -0.5, 10, 18, 100, 1e21, '', '0', '1', '2', '18', '-1', '1.5', ' ', 'abc',
  'a', 'b', 'm', 'z', 'true', 'null', 'premium', true, false, [], [1], [1, 2], [3, 1, 2], ['a'], [''],
  [0], ['a', 'b'], [null], {}, { a: 1 }, [[1]], [{}], ['1', '2'],
];

// prettier-ignore
export const VERSIONS: readonly unknown[] = [
  '1.2.3', '1.2.4', '1.2.2', '1.3.0', '2.0.0', '2.0.0-beta.2', '2.0.0-beta.10', '2.0.0-beta', '2.0.0-alpha.1',
  '2.0.0-rc.1+build.5', '1.2.3+meta', 'v1.2.3', 'V2.0.0', 'vv1.2.3', ' 1.2.3 ', '1', '1.2', '2', '3.1', 'v1',
  '01.2.3', '1.02', '1.2.3.4', '1.2.3-', '1.2.3-01', '1.2.3-0a', 'banana', '', 'v', '1.', '.1', '1.2.', '1.2.3-a..b',
  '12345678901234567.5', '1.12345678901234567', '9007199254740991.0.0', '9007199254740992.0.0',
  '1.0.0-9007199254740991', '1.0.0-9007199254740992', '1.0.0-99999999999999999999',
  '1.0.0-99999999999999999998', 1, 2, 1.2, 2.5, 0, true, null, ['1.2.3'], { v: 1 },
];

// prettier-ignore
export const FIELDS = [
  'targetingKey', 'email', 'version', 'id', 'num', 'age', 'x', 'y', 'z', 'w', 'flag', 'tier', 'name', 'user',
  'nested', 'tags', 'scores', 'people', 'pairs',
] as const;
// prettier-ignore
export const KEY_NAMES: readonly unknown[] = [
  ...FIELDS, 'user.name', 'nested.a.b', 'nested.a.b.c', 'tags.0', 'odd.key', 'odd\\.key', '$flagd.flagKey', '$flagd',
  'missing', '', 0, 1, null, true, ['email', 'dflt'], ['nope', 'dflt'], 'a.b.c.d',
];

export function generateContexts(count: number, seed: number): Record<string, unknown>[] {
  const rnd = mulberry32(seed);
  const int = (n: number) => Math.floor(rnd() * n);
  const pick = <T>(list: readonly T[]): T => list[int(list.length)]!;
  const chance = (p: number) => rnd() < p;
  const word = (alphabet: string, min: number, max: number) => {
    let s = '';
    const n = min + int(max - min + 1);
    for (let i = 0; i < n; i++) s += alphabet[int(alphabet.length)];
    return s;
  };
  const chaos = (): unknown => (chance(0.5) ? pick(CHAOS) : int(7) - 2);
  const scalar = (): unknown => (chance(0.7) ? chaos() : word(ALNUM, 0, 4));
  const list = (of: () => unknown): unknown[] => Array.from({ length: int(5) }, of);
  const person = (): unknown =>
    chance(0.8) ? { name: pick(['ann', 'bob', 'cy', '', null, 7]), ...(chance(0.5) ? { address: { city: pick(['x', 0, '']) } } : {}) } : chaos();

  const out: Record<string, unknown>[] = [];
  for (let n = 0; n < count; n++) {
    const ctx: Record<string, unknown> = {};
    const put = (key: string, p: number, value: () => unknown) => {
      if (chance(p)) ctx[key] = value();
    };
    put('targetingKey', 0.9, () => (chance(0.95) ? word(chance(0.5) ? ALNUM : PRINTABLE, 0, 64) : chaos()));
    put('email', 0.8, () =>
      chance(0.85)
        ? `${pick(['a', 'ann', 'bob', 'ballmer', 'jobs', '', word(ALNUM, 1, 12)])}@${pick(['admin.com', 'macrosoft.com', 'orange.com', 'example.org', 'x'])}`
        : scalar(),
    );
    put('version', 0.85, () => (chance(0.9) ? pick(VERSIONS) : `${int(4)}.${int(4)}.${int(4)}`));
    put('version2', 0.3, () => pick(VERSIONS));
    put('op', 0.3, () => pick(['=', '!=', '<', '<=', '>', '>=', '^', '~', '==', '', 1]));
    put('semverArgs', 0.2, () => (chance(0.8) ? [pick(VERSIONS), pick(['=', '<', '^', '~']), pick(VERSIONS)] : chaos()));
    put('id', 0.35, () => (chance(0.8) ? `${pick(['abc', 'ab', ''])}${word(ALNUM, 0, 6)}${pick(['xyz', 'yz', ''])}` : chaos()));
    put('num', 0.2, chaos);
    put('age', 0.75, () => (chance(0.6) ? int(90) : chaos()));
    for (const k of ['x', 'y', 'z']) put(k, 0.85, scalar);
    put('w', 0.85, () => (chance(0.4) ? int(20) - 2 : scalar()));
    put('flag', 0.7, () => (chance(0.6) ? chance(0.5) : chaos()));
    put('tier', 0.7, () => (chance(0.7) ? pick(['premium', 'standard', 'gold', 'a', 'b']) : chaos()));
    put('name', 0.4, () => (chance(0.7) ? word(ALNUM, 0, 10) : chaos()));
    put('user', 0.7, () => (chance(0.75) ? (chance(0.8) ? { name: scalar() } : {}) : chaos()));
    put('nested', 0.6, () => (chance(0.7) ? { a: chance(0.8) ? { b: chance(0.7) ? { c: scalar() } : scalar() } : scalar() } : chaos()));
    put('tags', 0.7, () => (chance(0.75) ? list(() => pick(['beta', 'a', 'premium', '', null, 1])) : chaos()));
    put('scores', 0.7, () => (chance(0.75) ? list(() => (chance(0.85) ? int(6) - 1 : chaos())) : chaos()));
    put('people', 0.45, () => (chance(0.8) ? list(person) : chaos()));
    put('pairs', 0.35, () => (chance(0.8) ? list(() => (chance(0.8) ? [scalar(), scalar()] : chaos())) : chaos()));
    put('versions', 0.2, () => (chance(0.8) ? list(() => pick(VERSIONS)) : chaos()));
    put('keys', 0.3, () => (chance(0.8) ? list(() => pick(KEY_NAMES)) : chaos()));
    put('keyName', 0.35, () => pick(KEY_NAMES));
    put('need', 0.25, () => (chance(0.7) ? int(4) : chaos()));
    put('pair', 0.3, () => (chance(0.7) ? [scalar(), scalar()] : chaos()));
    put('buckets', 0.25, () => (chance(0.7) ? list(() => (chance(0.8) ? [pick(['a', 'b', 'c', 1, true, null]), int(5) - 1] : chaos())) : chaos()));
    put('odd.key', 0.15, scalar);
    put('$flagd', 0.1, () => ({ flagKey: 'spoofed' }));
    // Round-tripped through JSON, as an OFREP request body arrives (and shaped as V8 builds parsed objects).
    out.push(JSON.parse(JSON.stringify(ctx)) as Record<string, unknown>);
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Comparison
// ---------------------------------------------------------------------------------------------
