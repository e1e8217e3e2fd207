import { env } from 'cloudflare:workers';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { admin } from '../helpers/admin';
import { validConfig } from '../helpers/coordinator';
import { expectOk, FUZZ_KEY, FUZZ_SEED, FUZZ_TIMEOUT_MS, freshWorldPerTest, MIN, sqliteDump } from '../helpers/fuzz-world';
import { type HostileJson, hostileName, hostileNumber, hostileValue, nested, objOf, PROTOTYPE_NAMES } from '../helpers/hostile-json';

// Property: whatever a holder of a report key posts to /v1/metrics, the answer is 202 or a 4xx,
// no exception escapes, a refused batch stores nothing, and afterwards the admin plane answers
// and a cron tick (which reads the shards of an active rollout) completes.

const FLAGS = Object.keys(validConfig().flags);
const VARIANTS = ['on', 'off', 'a', 'b', 'staff', 'everyone'];
const REFUSALS = new Set([400, 401, 403, 413, 415, 422]);

const worldOf = freshWorldPerTest();

const smallInt = (max: number) => fc.integer({ min: 0, max }).map((n): HostileJson => ({ num: n }));

/** Bin keys: mostly in range (0..378 is up to one hour), sometimes just past it or far past it (binValue(20000) is Infinity), sometimes not numbers at all. */
const binKey = fc.oneof(
  { weight: 12, arbitrary: fc.nat(378).map(String) },
  { weight: 1, arbitrary: fc.constantFrom('379', '500', '20000', '99999') },
  { weight: 1, arbitrary: fc.constantFrom('-1', '1.5', '01', '1e3', '', ...PROTOTYPE_NAMES) },
);

/** A latency value: mostly a plausible count or sample, sometimes any number at all. */
const latencyNumber = (max: number) => fc.oneof({ weight: 12, arbitrary: smallInt(max) }, { weight: 1, arbitrary: hostileNumber });

const latency = fc.oneof(
  { weight: 3, arbitrary: fc.array(latencyNumber(3000), { maxLength: 6 }).map((arr): HostileJson => ({ arr })) },
  { weight: 4, arbitrary: fc.array(fc.tuple(binKey, latencyNumber(100)), { maxLength: 5 }).map((bins) => objOf([['bins', { obj: bins }]])) },
  { weight: 1, arbitrary: hostileValue },
);

/** A timestamp relative to the request's clock (ms, or as an ISO date), so it lands inside and outside the accepted window; or any value. */
type TimestampSpec = { msAgo: number } | { isoAgo: number } | { value: HostileJson };
const recent = fc.integer({ min: 0, max: 3 * MIN }).map((msAgo): TimestampSpec => ({ msAgo }));
const timestamp: fc.Arbitrary<TimestampSpec> = fc.oneof(
  recent,
  fc.integer({ min: -5 * MIN, max: 20 * MIN }).map((msAgo): TimestampSpec => ({ msAgo })),
  fc.integer({ min: -5 * MIN, max: 20 * MIN }).map((isoAgo): TimestampSpec => ({ isoAgo })),
  fc.oneof(hostileNumber, hostileName).map((value): TimestampSpec => ({ value })),
);

function timestampAt(spec: TimestampSpec, now: number): HostileJson {
  if ('msAgo' in spec) return { num: now - spec.msAgo };
  if ('isoAgo' in spec) return new Date(now - spec.isoAgo).toISOString();
  return spec.value;
}

/** Reports that are plausible except, often, for their latency: most batches of these are accepted. */
const plausibleReport = fc.record({
  // The rolled-out flag and its variants: their reports reach the tick's verdict.
  flag: fc.constant('new-checkout'),
  variant: fc.constantFrom('on', 'off'),
  timestamp: recent,
  count: fc.integer({ min: 100, max: 500 }).map((n): HostileJson => ({ num: n })),
  errors: smallInt(20),
  latencyMs: latency,
});

/** Reports with any field hostile, and unknown fields. */
const hostileReport = fc.record(
  {
    flag: fc.oneof(fc.constantFrom(...FLAGS), hostileName),
    variant: fc.oneof(fc.constantFrom(...VARIANTS), hostileName),
    timestamp,
    count: fc.oneof(smallInt(500), hostileNumber),
    errors: fc.oneof(smallInt(50), hostileNumber),
    latencyMs: latency,
    extra: fc.tuple(hostileName, hostileValue),
  },
  { requiredKeys: ['flag', 'variant'] },
);

const reportSpec = fc.oneof({ weight: 3, arbitrary: plausibleReport }, { weight: 1, arbitrary: hostileReport });

type ReportSpec = typeof reportSpec extends fc.Arbitrary<infer T> ? T : never;

function reportAt(spec: ReportSpec, now: number): HostileJson {
  return objOf([
    ['flag', spec.flag],
    ['variant', spec.variant],
    ['timestamp', spec.timestamp && timestampAt(spec.timestamp, now)],
    ['count', spec.count],
    ['errors', spec.errors],
    ['latencyMs', spec.latencyMs],
    ...('extra' in spec && spec.extra ? [spec.extra] : []),
  ]);
}

/** Whole bodies: mostly batches of reports, sometimes anything at all, or reports nested deep. */
type BodySpec = { reports: ReportSpec[] } | { anything: HostileJson } | { nestedReports: number };
const bodySpec: fc.Arbitrary<BodySpec> = fc.oneof(
  { weight: 6, arbitrary: fc.array(reportSpec, { minLength: 1, maxLength: 3 }).map((reports) => ({ reports })) },
  { weight: 1, arbitrary: hostileValue.map((anything) => ({ anything })) },
  { weight: 1, arbitrary: fc.constantFrom(50, 1000, 5000).map((nestedReports) => ({ nestedReports })) },
);

function bodyAt(spec: BodySpec, now: number): HostileJson {
  if ('anything' in spec) return spec.anything;
  if ('nestedReports' in spec) return objOf([['reports', { arr: [nested(spec.nestedReports, false)] }]]);
  return objOf([['reports', { arr: spec.reports.map((r) => reportAt(r, now)) }]]);
}

describe('fuzz: POST /v1/metrics', () => {
  it('answers 202 or a 4xx, stores nothing when it refuses, and leaves the loop working', { timeout: FUZZ_TIMEOUT_MS }, async () => {
    const world = worldOf();
    // An active rollout, so that the tick afterwards reads the shards the fuzz wrote into.
    await expectOk(admin(world.h, 'POST', '/environments/staging/rollouts', { body: { flag: 'new-checkout', variant: 'on', strategy: 'safe' } }));
    const shards = FLAGS.map((flag) => env.METRICS.getByName(`staging/${flag}`));
    // The world persists across runs, so a failing tick may be caused by an earlier accepted batch:
    // the failure names every batch accepted since the previous tick.
    let acceptedSinceTick: BodySpec[] = [];
    let accepted = 0;
    let refused = 0;
    await fc.assert(
      fc.asyncProperty(bodySpec, async (body) => {
        // 20 s a run: every third run enters a new minute, and the cron of that minute runs
        // over what was accepted so far.
        const minuteBefore = Math.floor(world.clock.now / MIN);
        world.clock.advance(20_000);
        if (Math.floor(world.clock.now / MIN) !== minuteBefore) {
          try {
            await world.tick('staging');
            await world.expectAdminAnswers();
          } catch (err) {
            throw new Error(`after accepting ${JSON.stringify(acceptedSinceTick)}: ${(err as Error).message}`, { cause: err });
          }
          acceptedSinceTick = [];
        }
        const before = await Promise.all(shards.map(sqliteDump));
        const res = await world.send('POST', '/v1/metrics', bodyAt(body, world.clock.now), { authorization: `Bearer ${FUZZ_KEY}` });
        const text = await res.text();
        if (res.status === 202) {
          accepted++;
          acceptedSinceTick.push(body);
          return;
        }
        refused++;
        expect(REFUSALS.has(res.status), `${res.status} ${text}`).toBe(true);
        expect(await Promise.all(shards.map(sqliteDump))).toEqual(before);
      }),
      { seed: FUZZ_SEED, numRuns: 300, endOnFailure: true },
    );
    // Both paths were exercised, not only refusals.
    console.log(`fuzz metrics: ${accepted + refused} batches, ${accepted} accepted, ${refused} refused`);
    expect(accepted).toBeGreaterThan(5);
    expect(refused).toBeGreaterThan(5);
    world.clock.set(Math.ceil(world.clock.now / MIN) * MIN + MIN);
    await world.tick('staging');
    await world.expectAdminAnswers();
  });
});
