/**
 * Differential test: every flag × thousands of generated contexts, evaluated by Rollgate's
 * compiled evaluator and by @openfeature/flagd-core (json-logic-engine in interpreter mode),
 * which is the reference whose results we must reproduce for ASCII input.
 */
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import type { EvaluationContext } from '@openfeature/core';
import { FlagdCore } from '@openfeature/flagd-core';
import { afterAll, describe, expect, it } from 'vitest';
import { zFlagdDocument } from '../schema/flag-set';
import { compileFlagSet, evaluateFlag } from './flag-set';
import type { Resolution } from './resolution';
import { mulberry32 } from '../seeded-random';

const SHARED = process.env['ROLLGATE_SHARED'] ?? resolve(__dirname, '../../../../shared');
const TESTKIT = join(SHARED, 'reference/flagd-testbed-evaluator/flags/testkit-flags.json');
const NOW = Date.UTC(2026, 10, 27);
const CONTEXTS = 10_000;
const SEED = 0x5eed_f1a9;

// ---------------------------------------------------------------------------------------------
// Extra flag set: one probe per operator form of flagd's targeting schema.
// A probe returns whatever its rule computes; the result names a variant when it can, and when it
// does not, both evaluators report the missing variant by name, which is compared too.
// ---------------------------------------------------------------------------------------------

const v = (path: unknown): unknown => ({ var: path });

const PROBE_VARIANTS = {
  yes: 'yes',
  no: 'no',
  true: true,
  false: false,
  '': 'empty',
  '0': 0,
  '1': 1,
  '2': 2,
  '3': 3,
  '-1': -1,
  a: 'a',
  b: 'b',
  c: 'c',
  premium: 'premium',
  standard: 'standard',
  dflt: { fallback: true },
};

const probes: Record<string, unknown> = {
  // var
  'var-single': v('email'),
  'var-array-form': { var: ['email'] },
  'var-default': { var: ['age', 'dflt'] },
  'var-null-default': { var: ['age', null] },
  'var-dotted-2': v('user.name'),
  'var-dotted-2-default': { var: ['user.name', 'dflt'] },
  'var-dotted-3': v('nested.a.b'),
  'var-dotted-4': v('nested.a.b.c'),
  'var-dotted-4-default': { var: ['nested.a.b.c', 'b'] },
  'var-index': v('tags.0'),
  'var-length': v('tags.length'),
  'var-number-key': { var: 1 },
  'var-zero-key': { if: [{ var: 0 }, 'yes', 'no'] },
  'var-zero-key-array': { var: [0, 'dflt'] },
  'var-empty': { if: [{ var: '' }, 'yes', 'no'] },
  'var-empty-array': { '!': { var: [] } },
  'var-escaped-dot': v('odd\\.key'),
  'var-computed-constant': { var: { cat: ['us', 'er.name'] } },
  'var-computed': { var: v('keyName') },
  'var-computed-default': { var: [v('keyName'), 'dflt'] },
  'var-flag-key': { '==': [v('$flagd.flagKey'), 'var-flag-key'] },
  'var-flag-key-array': { if: [{ '===': [{ var: ['$flagd.flagKey'] }, 'var-flag-key-array'] }, 'yes', 'no'] },
  'var-flagd-object': { '!!': v('$flagd') },
  'var-function': { var: ['email.toString', 'dflt'] },
  'var-proto': { '!!': v('constructor') },
  'var-in-map-flag-key': { map: [v('people'), v('$flagd.flagKey')] },
  'var-in-map-zero': { map: [v('pairs'), { var: 0 }] },
  'var-in-map-one': { map: [v('pairs'), { var: 1 }] },
  'var-in-map-dotted': { map: [v('people'), v('address.city')] },
  // missing, missing_some
  missing: { missing: ['email', 'user.name', 'age'] },
  'missing-unary': { missing: 'email' },
  'missing-computed': { missing: v('keys') },
  'missing-flagd': { missing: ['$flagd.flagKey', '$flagd.nope', 'targetingKey'] },
  'missing-some-1': { missing_some: [1, ['email', 'age', 'tier']] },
  'missing-some-2': { missing_some: [2, ['email', 'age', 'tier']] },
  'missing-some-computed': { missing_some: [v('need'), v('keys')] },
  // if, ?:
  if: { if: [v('flag'), 'yes', 'no'] },
  'if-two': { if: [v('age'), 'yes'] },
  'if-five': { if: [v('flag'), 'a', v('tier'), 'b', 'c'] },
  'if-four': { if: [v('flag'), 'a', v('x'), 'b'] },
  'if-one': { if: [v('tier')] },
  'if-ternary': { '?:': [v('flag'), 'yes', 'no'] },
  'if-lazy-poisoned-branch': { if: [v('flag'), 'yes', v('x'), { '/': [1, 0] }, 'no'] },
  'or-multi-key-operand': { or: [v('flag'), { cat: ['a'], extra: 1 }] },
  // ==, ===, !=, !==
  'eq-xy': { '==': [v('x'), v('y')] },
  'eq-xyz': { '==': [v('x'), v('y'), v('z')] },
  'eq-xyzw': { '==': [v('x'), v('y'), v('z'), v('w')] },
  'strict-eq-xy': { '===': [v('x'), v('y')] },
  'strict-eq-xyz': { '===': [v('x'), v('y'), v('z')] },
  'strict-eq-xyzw': { '===': [v('x'), v('y'), v('z'), v('w')] },
  'ne-xy': { '!=': [v('x'), v('y')] },
  'strict-ne-xy': { '!==': [v('x'), v('y')] },
  // <, <=, >, >=
  'lt-xy': { '<': [v('x'), v('y')] },
  'gt-xy': { '>': [v('x'), v('y')] },
  'lt-between': { '<': [0, v('age'), 65] },
  'le-between': { '<=': [v('x'), v('y'), v('z')] },
  'gt-three': { '>': [v('x'), v('y'), v('z')] },
  'lt-string-between': { '<': ['b', v('name'), 'n'] },
  'lt-four': { '<': [v('x'), v('y'), v('z'), v('w')] },
  // max, min
  max: { max: [v('x'), v('y'), 1] },
  min: { min: [v('x'), v('y'), 2] },
  'max-unary': { max: v('scores') },
  'min-unary': { min: v('x') },
  // + - * / %
  plus: { '+': [v('x'), v('y')] },
  'plus-one': { '+': [v('scores')] },
  'plus-unary': { '+': v('x') },
  minus: { '-': [v('x'), v('y')] },
  'minus-one': { '-': [v('x')] },
  'minus-three': { '-': [v('x'), 1, v('y')] },
  times: { '*': [v('x'), v('y')] },
  'times-unary': { '*': v('scores') },
  'times-one': { '*': [v('x')] },
  divide: { '/': [v('x'), v('y')] },
  'divide-one': { '/': [v('x')] },
  'divide-unary': { '/': v('scores') },
  modulo: { '%': [v('x'), v('y')] },
  'modulo-three': { '%': [v('age'), 3] },
  // map, filter, reduce, all, some, none
  map: { map: [v('scores'), { '*': [v(''), 2] }] },
  'map-objects': { map: [v('people'), v('name')] },
  'map-constant': { map: [v('x'), 1] },
  'map-non-array': { map: v('x') },
  filter: { filter: [v('scores'), { '>': [v(''), 1] }] },
  'filter-true': { filter: [v('x'), true] },
  'filter-false': { filter: [v('x'), 0] },
  'filter-three': { filter: [v('x'), true, 1] },
  'filter-sem-ver': { filter: [v('versions'), { sem_ver: [v(''), '>=', '2.0.0'] }] },
  'reduce-sum': { reduce: [v('scores'), { '+': [v('current'), v('accumulator')] }, 0] },
  'reduce-sum-no-initial': { reduce: [v('scores'), { '+': [v('accumulator'), v('current')] }] },
  'reduce-product': { reduce: [v('scores'), { '*': [v('accumulator'), v('current')] }, v('y')] },
  'reduce-max': { reduce: [v('scores'), { max: [v('accumulator'), v('current')] }, -1] },
  'reduce-cat': { reduce: [v('tags'), { cat: [v('accumulator'), v('current')] }, ''] },
  'reduce-cat-no-initial': { reduce: [v('tags'), { cat: [v('accumulator'), v('current')] }] },
  'reduce-names': { reduce: [v('people'), { merge: [v('accumulator'), [v('current.name')]] }, []] },
  'reduce-too-deep': { reduce: [v('people'), { merge: [v('accumulator'), [v('current')]] }, []] },
  all: { all: [v('scores'), { '>': [v(''), 0] }] },
  'all-any': { all: [v('x'), v('')] },
  some: { some: [v('scores'), { '>': [v(''), 2] }] },
  'some-string': { some: [v('email'), { '==': [v(''), '@'] }] },
  'some-people': { some: [v('people'), { '==': [v('name'), 'ann'] }] },
  'none-any': { none: [v('x'), v('')] },
  // merge, in
  merge: { merge: [v('tags'), v('x'), [1, [2]]] },
  'merge-unary': { merge: v('x') },
  'in-array': { in: [v('tier'), ['premium', 'gold']] },
  'in-string': { in: ['@', v('email')] },
  'in-xy': { in: [v('x'), v('y')] },
  'in-unary': { in: v('pair') },
  // cat, substr
  cat: { cat: [v('tier'), '-', v('age')] },
  'cat-one': { cat: [v('x')] },
  'cat-tags': { cat: [v('tags')] },
  substr: { substr: [v('email'), 0, 3] },
  'substr-negative-length': { substr: [v('email'), 1, -2] },
  'substr-xyz': { substr: [v('name'), v('x'), v('y')] },
  // !, !!, or, and
  not: { '!': [v('x')] },
  'not-unary': { '!': v('tags') },
  'not-two': { '!': [v('x'), 1] },
  'not-not-tags': { '!!': [v('tags')] },
  or: { or: [v('x'), v('y'), 'no'] },
  and: { and: [v('x'), v('y')] },
  'and-lazy-poison': { and: [v('flag'), { '/': [1, 0] }] },
  // fractional
  'fractional-explicit': { fractional: [v('email'), ['a', 50], ['b', 50]] },
  'fractional-shorthand': { fractional: [['a', 1], ['b', 1], ['c']] },
  'fractional-cat-key': {
    fractional: [{ cat: [v('$flagd.flagKey'), v('targetingKey')] }, ['a', 10], ['b', 20], ['c', 70]],
  },
  'fractional-nested': { fractional: [v('targetingKey'), [v('tier'), v('w')], ['b', 10]] },
  'fractional-var-weight': { fractional: [['a', v('x')], ['b', 5]] },
  'fractional-computed': { fractional: v('buckets') },
  'fractional-condition': { if: [{ fractional: [[true, 50], [false, 50]] }, 'yes', 'no'] },
  'fractional-in-map': { map: [v('tags'), { fractional: [['a', 1]] }] },
  // sem_ver: every operator against a full version, some against a prerelease and a partial one
  ...Object.fromEntries(['=', '!=', '<', '<=', '>', '>=', '^', '~'].map((op, i) => [`sem-ver-${i}`, { sem_ver: [v('version'), op, '1.2.3'] }])),
  ...Object.fromEntries(['<', '~'].map((op, i) => [`sem-ver-pre-${i}`, { sem_ver: [v('version'), op, '2.0.0-beta.2'] }])),
  'sem-ver-partial': { sem_ver: [v('version'), '^', 'v1.2'] },
  'sem-ver-computed': { sem_ver: [v('version'), v('op'), v('version2')] },
  'sem-ver-unary': { sem_ver: v('semverArgs') },
  // starts_with, ends_with
  'starts-with': { starts_with: [v('email'), 'a'] },
  'ends-with': { ends_with: [v('email'), '.com'] },
  'starts-with-xy': { starts_with: [v('x'), v('y')] },
  'ends-with-unary': { ends_with: v('pair') },
  // $ref
  ref: { if: [{ $ref: 'is_admin' }, 'yes', 'no'] },
  'ref-nested': { if: [{ $ref: 'admin_adult' }, 'yes', 'no'] },
};

/**
 * Rules whose outcome cannot depend on the context: constants the engine folds, wrong arities,
 * unknown operators and `$ref`s, and rules that json-logic-engine parses but rejects while
 * preparing them (so every evaluation fails, GENERAL). Further contexts add nothing for these,
 * and the engine prepares the failing ones again on every call (40–250 µs each), so they are
 * compared on fewer contexts.
 */
const contextIndependent: Record<string, unknown> = {
  'missing-empty': { if: [{ missing: [] }, 'yes', 'no'] },
  'if-none': { if: [] },
  'if-constant-condition': { if: [true, 'yes', v('tier')] },
  'gt-constant': { if: [{ '>': [2, 1] }, 'yes', 'no'] },
  'plus-empty': { '+': [] },
  'plus-string': { '+': '2' },
  'times-constant': { '*': 3 },
  'map-deterministic': { map: [[1, 2, 3], { '+': [v(''), 1] }] },
  'merge-empty': { merge: [] },
  'in-constant': { in: 'abc' },
  'cat-string': { cat: 'abc' },
  'not-literal-array': { '!': [[]] },
  'and-empty': { and: [] },
  'eq-one-arg': { '==': [v('x')] },
  'modulo-one': { '%': [v('x')] },
  'or-non-array': { or: v('x') },
  'sem-ver-two-args': { sem_ver: [v('version'), '='] },
  'starts-with-one': { starts_with: [v('id')] },
  'ref-unknown': { if: [{ $ref: 'nope' }, 'yes', 'no'] },
  'unknown-operator': { if: [{ nope: [1] }, 'yes', 'no'] },
  'var-true-key': { var: true },
  'reduce-no-mapper': { if: [v('flag'), 'yes', { reduce: [v('x')] }] },
  'if-failing-branch': { if: [v('flag'), 'yes', { '/': [1, 0] }] },
  'if-multi-key-branch': { if: [v('flag'), 'yes', { var: 'tier', extra: 1 }] },
  'lt-failing-third': { '<': [v('age'), 10, { '/': [1, 0] }] },
  'if-failing-comparison': { if: [v('flag'), { '>': ['a', 1] }, 'no'] },
  'cat-null': { cat: [null] },
  'max-empty': { max: [] },
};

const evaluators = {
  // A nested $ref names an evaluator declared after it: flagd-core resolves only those (see below).
  admin_adult: { and: [{ $ref: 'is_admin' }, { $ref: 'adult' }] },
  is_admin: { ends_with: [v('email'), '@admin.com'] },
  adult: { '>=': [v('age'), 18] },
};

/**
 * The one documented divergence: flagd-core substitutes `$ref`s textually, evaluator by evaluator
 * in declaration order, so a `$ref` inside an evaluator to one declared before it stays unresolved
 * and the flag answers PARSE_ERROR. Rollgate resolves references by name, in any order.
 */
const backwardRefFlagSet = {
  flags: {
    backward: { state: 'ENABLED', variants: PROBE_VARIANTS, defaultVariant: 'dflt', targeting: { if: [{ $ref: 'late' }, 'yes', 'no'] } },
  },
  $evaluators: { early: { '==': [v('x'), 1] }, late: { '!': { $ref: 'early' } } },
};

/** The operators of flagd's targeting schema (flagd-schema targeting.json), and sem_ver's comparisons. */
const SCHEMA_OPERATORS = [
  'var', 'missing', 'missing_some', 'if', '?:', '==', '===', '!=', '!==', '!', '!!', 'or', 'and', '<', '<=', '>', '>=',
  'max', 'min', '+', '-', '*', '/', '%', 'map', 'filter', 'reduce', 'all', 'some', 'none', 'merge', 'in', 'cat', 'substr',
  'fractional', 'sem_ver', 'starts_with', 'ends_with', '$ref',
];
const SEM_VER_OPERATORS = ['=', '!=', '<', '<=', '>', '>=', '^', '~'];

/** Every operator name used in a rule, and every constant operator of its sem_ver calls. */
function operatorsIn(node: unknown, ops = new Set<string>(), semVerOps = new Set<string>()): [Set<string>, Set<string>] {
  if (Array.isArray(node)) for (const item of node) operatorsIn(item, ops, semVerOps);
  else if (node && typeof node === 'object') {
    for (const [op, args] of Object.entries(node)) {
      ops.add(op);
      if (op === 'sem_ver' && Array.isArray(args) && typeof args[1] === 'string') semVerOps.add(args[1]);
      operatorsIn(args, ops, semVerOps);
    }
  }
  return [ops, semVerOps];
}

function probeFlags(rules: Record<string, unknown>): Record<string, unknown> {
  const flags: Record<string, unknown> = {};
  let i = 0;
  for (const [key, targeting] of Object.entries(rules)) {
    // Every third probe is a code-default flag, so that null results give the bare DEFAULT.
    const codeDefault = i++ % 3 === 2;
    flags[key] = {
      state: 'ENABLED',
      variants: PROBE_VARIANTS,
      ...(codeDefault ? {} : { defaultVariant: 'dflt' }),
      targeting,
    };
  }
  return flags;
}

function operatorFlagSet(): unknown {
  const flags = probeFlags(probes);
  // flagd-core reads an empty defaultVariant as none, even with a variant named "".
  flags['empty-default-variant'] = { state: 'ENABLED', variants: PROBE_VARIANTS, defaultVariant: '', targeting: v('tier') };
  return { flags, $evaluators: evaluators, metadata: { set: 'differential' } };
}

function contextIndependentFlagSet(): unknown {
  const flags = probeFlags(contextIndependent);
  flags['static-probe'] = { state: 'ENABLED', variants: PROBE_VARIANTS, defaultVariant: 'a' };
  flags['disabled-probe'] = { state: 'DISABLED', variants: PROBE_VARIANTS, defaultVariant: 'a', targeting: v('x') };
  flags['empty-default-variant-static'] = { state: 'ENABLED', variants: PROBE_VARIANTS, defaultVariant: '' };
  flags['empty-targeting'] = { state: 'ENABLED', variants: PROBE_VARIANTS, defaultVariant: 'b', targeting: {} };
  return { flags, $evaluators: evaluators, metadata: { set: 'context-independent' } };
}

// ---------------------------------------------------------------------------------------------
// Context generator: deterministic (mulberry32), ASCII only.
// ---------------------------------------------------------------------------------------------


const ALNUM = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';
const PRINTABLE = Array.from({ length: 95 }, (_, i) => String.fromCharCode(32 + i)).join('');

/** Scalars and structures chosen to hit every coercion rule of json-logic-engine. */
const CHAOS: readonly unknown[] = [
  null, 0, 1, -1, 2, 3, 1.5, -0.5, 10, 18, 100, 1e21, '', '0', '1', '2', '18', '-1', '1.5', ' ', 'abc',
  'a', 'b', 'm', 'z', 'true', 'null', 'premium', true, false, [], [1], [1, 2], [3, 1, 2], ['a'], [''],
  [0], ['a', 'b'], [null], {}, { a: 1 }, [[1]], [{}], ['1', '2'],
];

const VERSIONS: readonly unknown[] = [
  '1.2.3', '1.2.4', '1.2.2', '1.3.0', '2.0.0', '2.0.0-beta.2', '2.0.0-beta.10', '2.0.0-beta', '2.0.0-alpha.1',
  '2.0.0-rc.1+build.5', '1.2.3+meta', 'v1.2.3', 'V2.0.0', 'vv1.2.3', ' 1.2.3 ', '1', '1.2', '2', '3.1', 'v1',
  '01.2.3', '1.02', '1.2.3.4', '1.2.3-', '1.2.3-01', '1.2.3-0a', 'banana', '', 'v', '1.', '.1', '1.2.', '1.2.3-a..b',
  '12345678901234567.5', '1.12345678901234567', '9007199254740991.0.0', '9007199254740992.0.0',
  '1.0.0-9007199254740991', '1.0.0-9007199254740992', '1.0.0-99999999999999999999',
  '1.0.0-99999999999999999998', 1, 2, 1.2, 2.5, 0, true, null, ['1.2.3'], { v: 1 },
];

const FIELDS = [
  'targetingKey', 'email', 'version', 'id', 'num', 'age', 'x', 'y', 'z', 'w', 'flag', 'tier', 'name', 'user',
  'nested', 'tags', 'scores', 'people', 'pairs',
] as const;
const KEY_NAMES: readonly unknown[] = [
  ...FIELDS, 'user.name', 'nested.a.b', 'nested.a.b.c', 'tags.0', 'odd.key', 'odd\\.key', '$flagd.flagKey', '$flagd',
  'missing', '', 0, 1, null, true, ['email', 'dflt'], ['nope', 'dflt'], 'a.b.c.d',
];

function generateContexts(count: number, seed: number): Record<string, unknown>[] {
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
    chance(0.8)
      ? { name: pick(['ann', 'bob', 'cy', '', null, 7]), ...(chance(0.5) ? { address: { city: pick(['x', 0, '']) } } : {}) }
      : chaos();

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
    put('nested', 0.6, () =>
      chance(0.7) ? { a: chance(0.8) ? { b: chance(0.7) ? { c: scalar() } : scalar() } : scalar() } : chaos(),
    );
    put('tags', 0.7, () => (chance(0.75) ? list(() => pick(['beta', 'a', 'premium', '', null, 1])) : chaos()));
    put('scores', 0.7, () => (chance(0.75) ? list(() => (chance(0.85) ? int(6) - 1 : chaos())) : chaos()));
    put('people', 0.45, () => (chance(0.8) ? list(person) : chaos()));
    put('pairs', 0.35, () => (chance(0.8) ? list(() => (chance(0.8) ? [scalar(), scalar()] : chaos())) : chaos()));
    put('versions', 0.2, () => (chance(0.8) ? list(() => pick(VERSIONS)) : chaos()));
    put('keys', 0.3, () => (chance(0.8) ? list(() => pick(KEY_NAMES)) : chaos()));
    put('keyName', 0.35, () => pick(KEY_NAMES));
    put('need', 0.25, () => (chance(0.7) ? int(4) : chaos()));
    put('pair', 0.3, () => (chance(0.7) ? [scalar(), scalar()] : chaos()));
    put('buckets', 0.25, () =>
      chance(0.7) ? list(() => (chance(0.8) ? [pick(['a', 'b', 'c', 1, true, null]), int(5) - 1] : chaos())) : chaos(),
    );
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

interface Outcome {
  reason: string;
  value?: unknown;
  variant?: string;
  errorCode?: string;
  /** The variant a rule named that the flag does not have (from the GENERAL error's message). */
  missingVariant?: string;
}

const MISSING_VARIANT = /^variant '(.*)' not found in flag/is;

function ours(r: Resolution): Outcome {
  return {
    reason: r.reason,
    value: r.value,
    variant: r.variant,
    errorCode: r.errorCode,
    missingVariant: r.errorDetails ? MISSING_VARIANT.exec(r.errorDetails)?.[1] : undefined,
  };
}

/** flagd-core's FeatureFlag.evaluate does not look at state; resolve() maps DISABLED as we do. */
function theirs(core: FlagdCore, key: string, context: Record<string, unknown>): Outcome {
  const flag = core.getFlag(key);
  if (!flag) return { reason: 'ERROR', errorCode: 'FLAG_NOT_FOUND' };
  if (flag.state === 'DISABLED') return { reason: 'DISABLED' };
  const r = flag.evaluate(context as EvaluationContext);
  return {
    reason: r.reason,
    value: r.value,
    variant: r.variant,
    errorCode: r.errorCode,
    missingVariant: r.errorMessage ? MISSING_VARIANT.exec(r.errorMessage)?.[1] : undefined,
  };
}

function same(a: Outcome, b: Outcome): boolean {
  return (
    a.reason === b.reason &&
    a.variant === b.variant &&
    a.errorCode === b.errorCode &&
    a.missingVariant === b.missingVariant &&
    isDeepStrictEqual(a.value, b.value)
  );
}

interface Mismatch {
  flag: string;
  context: Record<string, unknown>;
  ours: Outcome;
  theirs: Outcome;
}

function differential(documentJson: string, contexts: readonly Record<string, unknown>[]) {
  const set = compileFlagSet(zFlagdDocument.parse(JSON.parse(documentJson)));
  const core = new FlagdCore(undefined, undefined, { disableDynamicCodeGeneration: true });
  core.setConfigurations(documentJson);
  const keys = [...set.byKey.keys()];
  expect(keys.sort()).toEqual([...core.getFlags().keys()].sort());
  keys.push('no-such-flag');

  const mismatches: Mismatch[] = [];
  const mismatchedFlags = new Set<string>();
  let comparisons = 0;
  // Both evaluators throw internally on most error paths; stack traces are not needed here and
  // capturing them dominates the run time. Messages (and so results) are unaffected.
  const stackTraceLimit = Error.stackTraceLimit;
  Error.stackTraceLimit = 0;
  try {
    for (const context of contexts) {
      for (const key of keys) {
        const a = ours(evaluateFlag(set, key, context, NOW));
        const b = theirs(core, key, context);
        comparisons++;
        if (!same(a, b)) {
          mismatchedFlags.add(key);
          if (mismatches.length < 40) mismatches.push({ flag: key, context, ours: a, theirs: b });
        }
      }
    }
  } finally {
    Error.stackTraceLimit = stackTraceLimit;
  }
  return { comparisons, mismatches, mismatchedFlags: [...mismatchedFlags] };
}

const contexts = generateContexts(CONTEXTS, SEED);
/** Context-independent rules are compared on the first contexts only (see contextIndependent). */
const FEW_CONTEXTS = 1_000;
/** Each run is synchronous and takes seconds: far above vitest's default timeout. */
const TIMEOUT = 120_000;
const totals = { comparisons: 0, mismatchedFlags: [] as string[] };

function check(name: string, documentJson: string, list: readonly Record<string, unknown>[]): void {
  const r = differential(documentJson, list);
  totals.comparisons += r.comparisons;
  totals.mismatchedFlags.push(...r.mismatchedFlags);
  console.log(`differential (${name}): ${r.comparisons} comparisons, mismatched flags: [${r.mismatchedFlags.join(', ')}]`);
  expect(r.mismatches).toEqual([]);
  expect(r.comparisons).toBeGreaterThanOrEqual(list.length);
}

describe('differential: Rollgate evaluator vs @openfeature/flagd-core', () => {
  afterAll(() => {
    console.log(`differential: ${totals.comparisons} comparisons in all, ${totals.mismatchedFlags.length} mismatched flags`);
  });

  it('generates the contexts deterministically', () => {
    expect(contexts).toHaveLength(CONTEXTS);
    expect(generateContexts(50, SEED)).toEqual(contexts.slice(0, 50));
    expect(new Set(contexts.map((c) => JSON.stringify(c))).size).toBeGreaterThan(CONTEXTS * 0.99);
  });

  it('probes every operator of flagd\'s targeting schema on the full set of contexts', () => {
    const [ops, semVerOps] = operatorsIn([probes, evaluators]);
    expect(SCHEMA_OPERATORS.filter((op) => !ops.has(op))).toEqual([]);
    expect(SEM_VER_OPERATORS.filter((op) => !semVerOps.has(op))).toEqual([]);
  });

  it('agrees on the flagd testkit flags', { timeout: TIMEOUT }, () => {
    check('testkit', readFileSync(TESTKIT, 'utf8'), contexts);
  });

  it('agrees on a flag set that exercises every targeting operator', { timeout: TIMEOUT }, () => {
    check('operators', JSON.stringify(operatorFlagSet()), contexts);
  });

  it('agrees on rules whose outcome does not depend on the context', { timeout: TIMEOUT }, () => {
    check('context-independent', JSON.stringify(contextIndependentFlagSet()), contexts.slice(0, FEW_CONTEXTS));
  });

  it('differs only as documented on a $ref to an evaluator declared earlier', () => {
    const json = JSON.stringify(backwardRefFlagSet);
    const set = compileFlagSet(zFlagdDocument.parse(backwardRefFlagSet));
    const core = new FlagdCore(undefined, undefined, { disableDynamicCodeGeneration: true });
    core.setConfigurations(json);
    for (const [x, variant] of [[1, 'no'], [2, 'yes']] as const) {
      expect(theirs(core, 'backward', { x })).toMatchObject({ reason: 'ERROR', errorCode: 'PARSE_ERROR' });
      expect(ours(evaluateFlag(set, 'backward', { x }, NOW))).toMatchObject({ reason: 'TARGETING_MATCH', variant });
    }
  });
});
