/** Flag sets of the differential test: rules that probe every operator of flagd's targeting schema. */

export const v = (path: unknown): unknown => ({ var: path });

export const PROBE_VARIANTS = {
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

export const probes: Record<string, unknown> = {
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
  'fractional-var-weight': {
    fractional: [
      ['a', v('x')],
      ['b', 5],
    ],
  },
  'fractional-computed': { fractional: v('buckets') },
  'fractional-condition': {
    if: [
      {
        fractional: [
          [true, 50],
          [false, 50],
        ],
      },
      'yes',
      'no',
    ],
  },
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
export const contextIndependent: Record<string, unknown> = {
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

export const evaluators = {
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
export const backwardRefFlagSet = {
  flags: {
    backward: { state: 'ENABLED', variants: PROBE_VARIANTS, defaultVariant: 'dflt', targeting: { if: [{ $ref: 'late' }, 'yes', 'no'] } },
  },
  $evaluators: { early: { '==': [v('x'), 1] }, late: { '!': { $ref: 'early' } } },
};
