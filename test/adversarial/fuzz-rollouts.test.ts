import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { admin } from '../helpers/admin';
import { expectOk, FUZZ_SEED, FUZZ_TIMEOUT_MS, freshWorldPerTest, MIN } from '../helpers/fuzz-world';
import { type HostileJson, hostileName, hostileNumber, hostileValue, objOf } from '../helpers/hostile-json';

// Property: whatever an operator's client sends to start a rollout, the answer is 201 or a 4xx,
// a refusal changes nothing (config, rollouts, audit, keys, KV), and an accepted rollout ticks,
// shows and rolls back like any other.

const REFUSALS = new Set([400, 409, 413, 422, 428]);
const THRESHOLDS = ['maxErrorRate', 'maxP95Ms', 'maxP99Ms', 'sustainedMinutes', 'minSamples', 'maxProbeFailures', 'bakeMaxErrorRate', 'bakeMaxP95Ms'];

const worldOf = freshWorldPerTest();

/** Durations: mostly a week or less, often just past 90 days or far past any date (9e12 s is an Invalid Date). */
const plausibleSeconds = fc.oneof(
  { weight: 10, arbitrary: fc.integer({ min: 0, max: 7 * 24 * 3600 }).map((n): HostileJson => ({ num: n })) },
  {
    weight: 3,
    arbitrary: fc.constantFrom<HostileJson>(
      { num: 9e12 },
      { num: 1e13 },
      { num: 2 ** 52 },
      { num: 1e308 },
      { num: 2 ** 53 },
      { num: 90 * 24 * 3600 + 1 },
      { num: 'inf' },
    ),
  },
  { weight: 1, arbitrary: hostileNumber },
);

const stage = fc.record({
  percent: fc.oneof(
    fc.integer({ min: 1, max: 100 }).map((n): HostileJson => ({ num: n })),
    hostileNumber,
  ),
  afterSeconds: plausibleSeconds,
});

/** Three stages in order, the later two's times hostile or not. */
const validStages = fc.tuple(plausibleSeconds, fc.option(plausibleSeconds, { nil: undefined })).map(([middle, last]): HostileJson => ({
  arr: [
    objOf([
      ['percent', { num: 10 }],
      ['afterSeconds', { num: 0 }],
    ]),
    objOf([
      ['percent', { num: 50 }],
      ['afterSeconds', middle],
    ]),
    objOf([
      ['percent', { num: 100 }],
      ['afterSeconds', last ?? middle],
    ]),
  ],
}));
const thresholdValue = fc.oneof(
  { weight: 2, arbitrary: fc.integer({ min: 1, max: 10 }).map((n): HostileJson => ({ num: n })) },
  { weight: 1, arbitrary: hostileNumber },
);
const health = fc
  .array(fc.tuple(fc.oneof({ weight: 4, arbitrary: fc.constantFrom(...THRESHOLDS) }, { weight: 1, arbitrary: hostileName }), thresholdValue), { maxLength: 2 })
  .map((obj): HostileJson => ({ obj }));

/** Requests a careless operator sends: the right flag, often odd durations and limits. */
const plausibleStart = fc.record(
  {
    flag: fc.constant('new-checkout'),
    variant: fc.constant('on'),
    strategy: fc.constantFrom('safe', 'fast', 'instant'),
    stages: validStages,
    bakeSeconds: plausibleSeconds,
    // Limits a careless operator might set: mostly sensible, sometimes absurd (a P95 limit of 1e308 ms).
    health: fc
      .tuple(
        fc.subarray([
          ['minSamples', 10],
          ['sustainedMinutes', 1],
          ['maxErrorRate', 0.5],
          ['maxP95Ms', 800],
        ] as Array<[string, number]>),
        fc.option(fc.constantFrom<[string, number]>(['maxP95Ms', 1e308], ['maxP99Ms', 2 ** 53], ['bakeMaxP95Ms', 1e-300], ['minSamples', 0]), { freq: 4 }),
      )
      .map(([pairs, absurd]): HostileJson => ({ obj: [...pairs, ...(absurd ? [absurd] : [])].map(([k, v]) => [k, { num: v }]) })),
    reason: fc.string({ maxLength: 20 }),
  },
  { requiredKeys: ['flag', 'variant', 'strategy'] },
);

/** Requests an attacker sends: any field hostile, unknown fields. */
const hostileStart = fc.record(
  {
    flag: fc.oneof(fc.constantFrom('new-checkout', 'static-bool', 'banner', 'code-default'), hostileName),
    variant: fc.oneof(fc.constantFrom('on', 'off', 'staff', 'a'), hostileName),
    baselineVariant: fc.oneof(fc.constantFrom('on', 'off', 'everyone', 'b'), hostileName),
    strategy: fc.oneof(fc.constantFrom('safe', 'fast', 'instant'), hostileName),
    stages: fc.oneof(
      validStages,
      fc.array(stage, { maxLength: 4 }).map((stages): HostileJson => ({
        arr: stages.map((s) =>
          objOf([
            ['percent', s.percent],
            ['afterSeconds', s.afterSeconds],
          ]),
        ),
      })),
      hostileValue,
    ),
    bakeSeconds: plausibleSeconds,
    health,
    reason: fc.oneof(fc.string({ maxLength: 20 }), fc.constant('r'.repeat(2000))),
    extra: fc.tuple(hostileName, hostileValue),
  },
  { requiredKeys: ['flag', 'variant', 'strategy'] },
);

const startSpec = fc.oneof({ weight: 3, arbitrary: plausibleStart }, { weight: 1, arbitrary: hostileStart });

type StartSpec = typeof startSpec extends fc.Arbitrary<infer T> ? T : never;

function startBody(spec: StartSpec): HostileJson {
  const { extra, ...fields } = spec as StartSpec & { extra?: [string, HostileJson] };
  return objOf([...Object.entries(fields).map(([k, v]): [string, HostileJson | undefined] => [k, v as HostileJson | undefined]), ...(extra ? [extra] : [])]);
}

describe('fuzz: POST /admin/v1/environments/{env}/rollouts', () => {
  it('answers 201 or a 4xx, changes nothing when it refuses, and an accepted rollout ticks and rolls back', { timeout: FUZZ_TIMEOUT_MS }, async () => {
    const world = worldOf();
    let started = 0;
    let refused = 0;
    await fc.assert(
      fc.asyncProperty(
        startSpec,
        fc.constantFrom('staging', 'production'),
        fc.oneof({ weight: 3, arbitrary: fc.constant(true) }, { weight: 1, arbitrary: fc.constant(false) }),
        async (spec, environment, confirm) => {
          // A minute a run: each run's tick is a new, later scheduledTime, as the cron's are.
          world.clock.set(Math.floor(world.clock.now / MIN) * MIN + MIN);
          const before = await world.stateOf(environment);
          const headers = { authorization: 'Bearer op-token-0123456789', ...(confirm ? { 'x-rollgate-confirm': environment } : {}) };
          const res = await world.send('POST', `/admin/v1/environments/${environment}/rollouts`, startBody(spec), headers);
          const text = await res.text();
          if (res.status !== 201) {
            refused++;
            expect(REFUSALS.has(res.status), `${res.status} ${text}`).toBe(true);
            expect(await world.stateOf(environment)).toEqual(before);
            return;
          }
          started++;
          const id = (JSON.parse(text) as { id: string }).id;
          world.clock.advance(MIN);
          await world.tick(environment);
          await world.expectAdminAnswers(environment);
          const shown = await admin(world.h, 'GET', `/environments/${environment}/rollouts/${id}`);
          expect(shown.status, await shown.clone().text()).toBe(200);
          // Rolling back is one call, without confirmation, in every environment.
          world.clock.advance(1000);
          await expectOk(admin(world.h, 'POST', `/environments/${environment}/rollouts/${id}/rollback`, { body: { reason: 'fuzz' } }));
        },
      ),
      { seed: FUZZ_SEED, numRuns: 200, endOnFailure: true },
    );
    console.log(`fuzz rollouts: ${started + refused} start requests, ${started} started, ticked and rolled back, ${refused} refused`);
    expect(started).toBeGreaterThan(5);
    expect(refused).toBeGreaterThan(5);
  });
});
