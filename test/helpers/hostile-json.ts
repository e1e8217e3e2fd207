import fc from 'fast-check';

/**
 * JSON as an attacker writes it: objects are lists of entries, so keys such as `__proto__` stay
 * own keys in the text, and numbers may be written as `1e400` (which JSON.parse reads as
 * Infinity) — values no JavaScript object can carry through JSON.stringify.
 */
export type HostileJson =
  | null
  | boolean
  | string
  | { num: number | 'inf' | '-inf' }
  | { arr: HostileJson[] }
  | { obj: Array<[string, HostileJson]> }
  | { nestedDepth: number; asObject: boolean };

/** Serialises a HostileJson value to the text a request body carries. */
export function hostileText(v: HostileJson): string {
  if (v === null || typeof v === 'boolean' || typeof v === 'string') return JSON.stringify(v);
  if ('num' in v) {
    if (v.num === 'inf') return '1e400';
    if (v.num === '-inf') return '-1e400';
    return Object.is(v.num, -0) ? '-0' : JSON.stringify(v.num);
  }
  if ('nestedDepth' in v) {
    const [open, close] = v.asObject ? ['{"x":', '}'] : ['[', ']'];
    return `${open.repeat(v.nestedDepth)}1${close.repeat(v.nestedDepth)}`;
  }
  if ('arr' in v) return `[${v.arr.map(hostileText).join(',')}]`;
  return `{${v.obj.map(([k, x]) => `${JSON.stringify(k)}:${hostileText(x)}`).join(',')}}`;
}

/** A plain JSON value (as JSON.parse would give) as HostileJson, to mix generated and fixed parts. */
export function fromPlain(v: unknown): HostileJson {
  if (v === null || typeof v === 'boolean' || typeof v === 'string') return v;
  if (typeof v === 'number') return { num: v };
  if (Array.isArray(v)) return { arr: v.map(fromPlain) };
  if (typeof v === 'object') return { obj: Object.entries(v as Record<string, unknown>).map(([k, x]) => [k, fromPlain(x)]) };
  return null;
}

/** An object from entries, leaving out the `undefined` ones (fields the generator chose to omit). */
export function objOf(entries: Array<[string, HostileJson | undefined]>): HostileJson {
  return { obj: entries.filter((e): e is [string, HostileJson] => e[1] !== undefined) };
}

/** Names that read through prototypes when code indexes a plain object with them. */
export const PROTOTYPE_NAMES = ['__proto__', 'constructor', 'toString', 'hasOwnProperty', 'valueOf', 'prototype'] as const;

/** Numbers at every edge: huge, tiny, negative, fractional, past int32 and 2^53, and the infinities. */
export const hostileNumber: fc.Arbitrary<HostileJson> = fc.oneof(
  fc.integer({ min: -5, max: 200 }).map((n) => ({ num: n })),
  fc.constantFrom<HostileJson>(
    { num: 0 },
    { num: -0 },
    { num: -1 },
    { num: 0.5 },
    { num: 1.5 },
    { num: 2 ** 31 },
    { num: 2 ** 53 },
    { num: 9e12 },
    { num: 1e308 },
    { num: -1e308 },
    { num: 5e-324 },
    { num: 'inf' },
    { num: '-inf' },
  ),
  fc.double({ noNaN: true, noDefaultInfinity: true }).map((n) => ({ num: n })),
);

/** Strings an attacker picks for names: prototype names, empty, long, odd characters. */
export const hostileName: fc.Arbitrary<string> = fc.oneof(
  fc.constantFrom(...PROTOTYPE_NAMES, '', ' ', '../x', '%00', 'a'.repeat(300)),
  fc.string({ maxLength: 12 }),
);

/** Any small JSON value, hostile numbers and names included. */
export const hostileValue: fc.Arbitrary<HostileJson> = fc.letrec<{ v: HostileJson }>((tie) => ({
  v: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    fc.constant(null),
    fc.boolean(),
    hostileName,
    hostileNumber,
    fc.array(tie('v'), { maxLength: 4 }).map((arr) => ({ arr })),
    fc.array(fc.tuple(hostileName, tie('v')), { maxLength: 4 }).map((obj) => ({ obj })),
  ),
})).v;

/** A value nested `depth` levels deep (arrays or objects); written out as text only when sent, so no recursion at any depth. */
export function nested(depth: number, asObject: boolean): HostileJson {
  return { nestedDepth: depth, asObject };
}
