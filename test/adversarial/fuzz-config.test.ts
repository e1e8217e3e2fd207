import { env } from 'cloudflare:workers';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { snapshotKey } from '../../src/store/keys';
import { validConfig } from '../helpers/coordinator';
import { FUZZ_KEY, FUZZ_SEED, FUZZ_TIMEOUT_MS, freshWorldPerTest } from '../helpers/fuzz-world';
import { fromPlain, type HostileJson, hostileName, hostileNumber, hostileValue, nested, objOf } from '../helpers/hostile-json';

// Property: whatever config an editor's client sends, validate answers (never 5xx); PUT agrees with
// validate (a document validate calls invalid is refused with 422 and changes nothing); and a
// document that is accepted is served by OFREP without a 5xx for any of its flags.

const EDITOR = { authorization: 'Bearer ed-token-0123456789' };
const REFUSALS = new Set([400, 409, 413, 422]);
const SNAPSHOT_REFRESH_MS = 5000;

const worldOf = freshWorldPerTest();

const variantName = fc.oneof({ weight: 3, arbitrary: fc.constantFrom('on', 'off', 'a') }, { weight: 1, arbitrary: hostileName });

/** fractional with names that may not be variants and weights of any size or sign. */
const fractional = fc
  .array(
    fc.tuple(
      variantName,
      fc.oneof(
        fc.integer({ min: 0, max: 100 }).map((n): HostileJson => ({ num: n })),
        hostileNumber,
      ),
    ),
    { minLength: 1, maxLength: 3 },
  )
  .map((buckets): HostileJson => objOf([['fractional', { arr: buckets.map(([name, weight]) => ({ arr: [name, weight] })) }]]));

/** Targeting an editor writes: a split, a match on an attribute, a chain of ifs; names maybe not variants. */
const plausibleTargeting: fc.Arbitrary<HostileJson> = fc.oneof(
  fc.tuple(fc.constantFrom('on', 'off'), fc.integer({ min: 0, max: 100 })).map(([name, weight]) =>
    fromPlain({
      fractional: [
        [name, weight],
        [name === 'on' ? 'off' : 'on', 100 - weight],
      ],
    }),
  ),
  fc
    .tuple(fc.oneof(fc.constantFrom('email', 'country', 'targetingKey'), hostileName), fc.string({ maxLength: 6 }))
    .map(([attribute, value]) => fromPlain({ if: [{ ends_with: [{ var: attribute }, value] }, 'on', 'off'] })),
  fc.constantFrom(10, 40, 60).map((depth) => objOf([['if', { arr: [nested(depth, depth % 20 === 0), 'on', 'off'] }]])),
);

const targeting: fc.Arbitrary<HostileJson> = fc.oneof(
  { weight: 3, arbitrary: plausibleTargeting },
  fractional,
  { weight: 2, arbitrary: fc.constantFrom(70, 200, 1600, 5000).map((depth) => objOf([['if', { arr: [nested(depth, depth % 20 === 0), 'on', 'off'] }]])) },
  fc.tuple(fc.constantFrom('var', 'in', 'starts_with', 'sem_ver', '==', 'cat', 'substr', 'if', '$ref'), hostileValue).map(([op, args]) => objOf([[op, args]])),
  hostileValue,
);

/** A flag an editor adds: boolean variants, maybe a prototype-named one, plausible targeting. */
const plausibleFlag: fc.Arbitrary<HostileJson> = fc
  .tuple(
    fc.constantFrom('on', 'off'),
    fc.option(plausibleTargeting, { nil: undefined }),
    fc.option(fc.constantFrom('constructor', 'toString', 'valueOf'), { nil: undefined }),
  )
  .map(([defaultVariant, rule, extraVariant]) =>
    objOf([
      ['state', 'ENABLED'],
      ['variants', { obj: [['on', true], ['off', false], ...(extraVariant ? [[extraVariant, true] as [string, HostileJson]] : [])] }],
      ['defaultVariant', defaultVariant],
      ['targeting', rule],
    ]),
  );

const hostileFlag: fc.Arbitrary<HostileJson> = fc
  .record(
    {
      state: fc.oneof({ weight: 4, arbitrary: fc.constantFrom<HostileJson>('ENABLED', 'DISABLED') }, { weight: 1, arbitrary: hostileValue }),
      variants: fc.oneof(
        {
          weight: 4,
          arbitrary: fc.array(fc.tuple(variantName, fc.oneof(fc.boolean(), hostileValue)), { minLength: 1, maxLength: 3 }).map((obj): HostileJson => ({ obj })),
        },
        { weight: 1, arbitrary: hostileValue },
      ),
      defaultVariant: fc.oneof(variantName, hostileValue),
      targeting,
      metadata: fc.array(fc.tuple(hostileName, fc.oneof(hostileName, hostileNumber, fc.boolean())), { maxLength: 2 }).map((obj): HostileJson => ({ obj })),
    },
    { requiredKeys: ['state', 'variants'] },
  )
  .map((f) => objOf(Object.entries(f) as Array<[string, HostileJson]>));

const flag = fc.oneof({ weight: 2, arbitrary: plausibleFlag }, { weight: 1, arbitrary: hostileFlag });

const HEALTH_URLS = [
  'https://api.example.com/health',
  'http://localhost:8080/',
  'http://127.0.0.1/',
  'https://169.254.169.254/latest/meta-data',
  'http://[::1]/',
  'https://10.0.0.7/',
  'file:///etc/passwd',
  'ftp://example.com/',
  'https://user:secret@example.com/',
  'javascript:alert(1)',
];

/** One change to the valid config. */
const mutation = fc.oneof(
  fc
    .tuple(
      fc.oneof({ weight: 3, arbitrary: fc.constantFrom('fuzzed', 'new-checkout', 'constructor', 'toString') }, { weight: 1, arbitrary: hostileName }),
      flag,
    )
    .map(([key, value]) => ({
      addFlag: key,
      value,
    })),
  fc.tuple(fc.constantFrom('new-checkout', 'banner', 'static-bool'), targeting).map(([key, value]) => ({ retarget: key, value })),
  fc.tuple(fc.constantFrom('new-checkout', 'static-bool'), plausibleTargeting).map(([key, value]) => ({ retarget: key, value })),
  fc.constantFrom(...HEALTH_URLS).map((url) => ({ healthCheck: url })),
  fc.tuple(hostileName, hostileValue).map(([key, value]) => ({ topLevel: key, value })),
  fc.tuple(hostileName, hostileValue).map(([key, value]) => ({ evaluator: key, value })),
);
type Mutation = typeof mutation extends fc.Arbitrary<infer T> ? T : never;

/** The valid config as entries, with the mutations applied; entries keep `__proto__` an own key. */
function documentWith(mutations: readonly Mutation[]): HostileJson {
  const doc = fromPlain(validConfig()) as { obj: Array<[string, HostileJson]> };
  const entry = (key: string): { obj: Array<[string, HostileJson]> } => {
    let found = doc.obj.find(([k]) => k === key);
    if (!found) doc.obj.push((found = [key, { obj: [] }]));
    return found[1] as { obj: Array<[string, HostileJson]> };
  };
  for (const m of mutations) {
    if ('addFlag' in m) entry('flags').obj.push([m.addFlag, m.value]);
    else if ('retarget' in m) {
      const f = entry('flags').obj.find(([k]) => k === m.retarget)![1] as { obj: Array<[string, HostileJson]> };
      f.obj = [...f.obj.filter(([k]) => k !== 'targeting'), ['targeting', m.value]];
    } else if ('healthCheck' in m) {
      const envs = doc.obj.find(([k]) => k === 'environments')![1] as { arr: HostileJson[] };
      envs.arr = envs.arr.map((e) =>
        e === 'staging'
          ? objOf([
              ['name', 'staging'],
              [
                'healthChecks',
                {
                  arr: [
                    objOf([
                      ['name', 'api'],
                      ['url', m.healthCheck],
                    ]),
                  ],
                },
              ],
            ])
          : e,
      );
    } else if ('topLevel' in m) doc.obj.push([m.topLevel, m.value]);
    else entry('$evaluators').obj.push([m.evaluator, m.value]);
  }
  return doc;
}

/** The flag keys a document carries, as JSON.parse would read them. */
function flagKeysOf(doc: HostileJson): string[] {
  const flags = (doc as { obj: Array<[string, HostileJson]> }).obj.filter(([k]) => k === 'flags').at(-1)![1] as { obj: Array<[string, HostileJson]> };
  return [...new Set(flags.obj.map(([k]) => k))].sort();
}

describe('fuzz: PUT and validate /admin/v1/environments/{env}/flags', () => {
  it(
    'validate never fails, PUT agrees with it and changes nothing when it refuses, and accepted configs evaluate without a 5xx',
    { timeout: FUZZ_TIMEOUT_MS },
    async () => {
      const world = worldOf();
      let accepted = 0;
      let refused = 0;
      await fc.assert(
        fc.asyncProperty(fc.array(mutation, { minLength: 1, maxLength: 3 }), async (mutations) => {
          world.clock.advance(2000);
          const doc = documentWith(mutations);
          const validate = await world.send('POST', '/admin/v1/environments/staging/flags/validate', doc, EDITOR);
          const verdict = await validate.text();
          expect(validate.status === 200 || REFUSALS.has(validate.status), `validate: ${validate.status} ${verdict}`).toBe(true);
          const valid = validate.status === 200 && (JSON.parse(verdict) as { valid: boolean }).valid;
          const before = await world.stateOf('staging');
          const put = await world.send('PUT', '/admin/v1/environments/staging/flags', doc, EDITOR);
          const text = await put.text();
          if (!valid) {
            refused++;
            expect(REFUSALS.has(put.status), `PUT of a document validate refused: ${put.status} ${text}`).toBe(true);
            expect(await world.stateOf('staging')).toEqual(before);
            return;
          }
          accepted++;
          expect(put.status, `PUT of a document validate accepted: ${text}`).toBe(200);
          // Nothing is silently dropped: every flag sent (the last of duplicate keys, as JSON.parse reads them) is stored.
          const stored = await world.h.fetch('/admin/v1/environments/staging/flags', { headers: EDITOR });
          const storedKeys = Object.keys((await stored.json<{ document: { flags: object } }>()).document.flags).sort();
          expect(storedKeys).toEqual(flagKeysOf(doc));
          world.clock.advance(SNAPSHOT_REFRESH_MS + 1000);
          const bulk = await world.h.evaluate('/ofrep/v1/evaluate/flags', { context: { targetingKey: 'user-1', email: 'a@rollgate.dev' } }, FUZZ_KEY);
          const bulkText = await bulk.text();
          expect(bulk.status, bulkText).toBe(200);
          // The edge serves what the coordinator published: an accepted config the edge refused would
          // leave the environment on its last good snapshot, silently, for every later change too.
          const published = JSON.parse((await env.FLAGS.get(snapshotKey('staging')))!) as { $rollgate: { version: number } };
          expect((JSON.parse(bulkText) as { metadata: { flagSetVersion: number } }).metadata.flagSetVersion, bulkText).toBe(published.$rollgate.version);
          const health = await (await world.h.fetch('/health')).json<{ environments: Record<string, { status: string; lastError?: string }> }>();
          expect(health.environments['staging'], JSON.stringify(health.environments['staging'])).toMatchObject({ status: 'ok' });
          for (const m of mutations) {
            const key = 'addFlag' in m ? m.addFlag : 'retarget' in m ? m.retarget : null;
            if (key === null) continue;
            const one = await world.h.evaluate(`/ofrep/v1/evaluate/flags/${encodeURIComponent(key)}`, { context: { targetingKey: 'user-1' } }, FUZZ_KEY);
            expect(one.status, `${key}: ${await one.text()}`).toBeLessThan(500);
          }
          await world.expectAdminAnswers();
        }),
        { seed: FUZZ_SEED, numRuns: 150, endOnFailure: true },
      );
      console.log(`fuzz config: ${accepted + refused} documents, ${accepted} accepted, ${refused} refused`);
      expect(accepted).toBeGreaterThan(5);
      expect(refused).toBeGreaterThan(5);
    },
  );
});
