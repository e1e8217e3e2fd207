import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { validConfig } from '../helpers/coordinator';
import { FUZZ_KEY, FUZZ_SEED, FUZZ_TIMEOUT_MS, freshWorldPerTest } from '../helpers/fuzz-world';
import { type HostileJson, hostileName, hostileValue, nested, objOf, PROTOTYPE_NAMES } from '../helpers/hostile-json';

// Property: whatever a holder of a public browser key sends to OFREP, the answer is a 2xx or 4xx
// of OFREP's shapes, never a 5xx, and a flag's evaluation is data (reason ERROR), not an exception.

const FLAGS = Object.keys(validConfig().flags);
const ANSWERS = new Set([200, 304, 400, 401, 403, 404, 413, 415]);

const worldOf = freshWorldPerTest();

/** Contexts with prototype-named attributes, hostile targeting keys, deep values, anything. */
const context = fc.oneof(
  fc
    .record(
      {
        targetingKey: fc.oneof(fc.string({ maxLength: 8 }), hostileValue),
        email: fc.oneof(fc.constantFrom('a@rollgate.dev', 'b@example.com'), hostileValue),
        attribute: fc.tuple(fc.oneof(fc.constantFrom(...PROTOTYPE_NAMES), hostileName), hostileValue),
        deep: fc.constantFrom(10, 100, 3000).map((d) => nested(d, d % 20 === 0)),
      },
      { requiredKeys: [] },
    )
    .map(({ attribute, ...fields }): HostileJson => objOf([...Object.entries(fields), ...(attribute ? [attribute] : [])] as Array<[string, HostileJson]>)),
  hostileValue,
);

const request = fc.record({
  flag: fc.oneof({ weight: 3, arbitrary: fc.constantFrom(...FLAGS) }, { weight: 1, arbitrary: fc.oneof(fc.constantFrom(...PROTOTYPE_NAMES), hostileName) }),
  bulk: fc.boolean(),
  body: fc.oneof({ weight: 4, arbitrary: context.map((c) => objOf([['context', c]])) }, { weight: 1, arbitrary: hostileValue }),
});

describe('fuzz: OFREP evaluation', () => {
  it('answers OFREP statuses, never a 5xx, whatever the context or flag key', { timeout: FUZZ_TIMEOUT_MS }, async () => {
    const world = worldOf();
    const seen = new Map<number, number>();
    await fc.assert(
      fc.asyncProperty(request, async ({ flag, bulk, body }) => {
        const path = bulk ? '/ofrep/v1/evaluate/flags' : `/ofrep/v1/evaluate/flags/${encodeURIComponent(flag)}`;
        const res = await world.send('POST', path, body, { authorization: `Bearer ${FUZZ_KEY}` });
        const text = await res.text();
        seen.set(res.status, (seen.get(res.status) ?? 0) + 1);
        expect(ANSWERS.has(res.status), `${res.status} ${text}`).toBe(true);
      }),
      { seed: FUZZ_SEED, numRuns: 300, endOnFailure: true },
    );
    // Evaluations and refusals were both reached.
    console.log(`fuzz OFREP: answers by status ${JSON.stringify(Object.fromEntries([...seen].sort()))}`);
    expect(seen.get(200) ?? 0).toBeGreaterThan(20);
    expect(seen.get(400) ?? 0).toBeGreaterThan(5);
  });
});
