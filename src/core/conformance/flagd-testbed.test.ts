/**
 * flagd's evaluator conformance suite, driven from the testbed's .feature files (where they are
 * read from: test/helpers/shared-testbed.ts), so that a scenario added there runs here without any
 * change to this file.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { AstBuilder, compile, GherkinClassicTokenMatcher, Parser } from '@cucumber/gherkin';
import { IdGenerator, type Pickle } from '@cucumber/messages';
import { describe, expect, it } from 'vitest';
import { compileFlagSet, evaluateFlag } from '../flags/flag-set';
import { zFlagdDocument } from '../schema/flag-set';
import { type FlagType, sameValue, toDetails, typedValue } from '../../../test/helpers/gherkin-steps';
import { TESTBED, testbedAvailable } from '../../../test/helpers/shared-testbed';

const AVAILABLE = testbedAvailable(TESTBED, 'flagd evaluator conformance');
/** Legacy float bucketing (v1) and the unspecified v3 are out of scope, as the reference README says. */
const EXCLUDED_TAGS = new Set(['@fractional-v1', '@fractional-v3']);
const NOW = Date.UTC(2026, 10, 27);

const flagSet = AVAILABLE ? compileFlagSet(zFlagdDocument.parse(JSON.parse(readFileSync(join(TESTBED, 'flags/testkit-flags.json'), 'utf8')))) : null;

function loadPickles(file: string): readonly Pickle[] {
  const newId = IdGenerator.uuid();
  const parser = new Parser(new AstBuilder(newId), new GherkinClassicTokenMatcher());
  const doc = parser.parse(readFileSync(file, 'utf8'));
  return compile(doc, file, newId);
}

interface Scenario {
  flagType?: FlagType;
  flagKey?: string;
  fallback?: unknown;
  context: Record<string, unknown>;
}

const given: [RegExp, (s: Scenario, m: RegExpMatchArray) => void][] = [
  [/^an evaluator$/, () => {}],
  [
    /^a (Boolean|String|Integer|Float|Object)-flag with key "([^"]*)" and a fallback value "(.*)"$/,
    (s, m) => {
      s.flagType = m[1] as FlagType;
      s.flagKey = m[2];
      s.fallback = typedValue(m[1]!, m[3]!);
    },
  ],
  [/^a context containing a targeting key with value "(.*)"$/, (s, m) => void (s.context['targetingKey'] = m[1])],
  [/^a context containing a key "([^"]*)", with type "([^"]*)" and with value "(.*)"$/, (s, m) => void (s.context[m[1]!] = typedValue(m[2]!, m[3]!))],
  [
    /^a context containing a nested property with outer key "([^"]*)" and inner key "([^"]*)", with value "(.*)"$/,
    (s, m) => void (s.context[m[1]!] = { [m[2]!]: m[3] }),
  ],
];

const files = AVAILABLE ? readdirSync(join(TESTBED, 'gherkin')).filter((f) => f.endsWith('.feature')) : [];

describe.skipIf(!AVAILABLE)('flagd evaluator conformance (testbed gherkin)', () => {
  it('finds the feature files', () => expect(files.length).toBeGreaterThan(5));

  for (const file of files) {
    const pickles = loadPickles(join(TESTBED, 'gherkin', file)).filter((p) => !p.tags.some((t) => EXCLUDED_TAGS.has(t.name)));
    describe(file, () => {
      for (const pickle of pickles) {
        const label = `${pickle.name} [${pickle.steps
          .map((s) => s.text.match(/"([^"]*)"/)?.[1] ?? '')
          .filter(Boolean)
          .join(' | ')}]`;
        it(label, () => runPickle(pickle));
      }
    });
  }
});

function runPickle(pickle: Pickle): void {
  const scenario: Scenario = { context: {} };
  let details: ReturnType<typeof toDetails> | undefined;
  for (const step of pickle.steps) {
    const text = step.text;
    const setter = given.find(([re]) => re.test(text));
    if (setter) {
      setter[1](scenario, text.match(setter[0])!);
      continue;
    }
    if (text === 'the flag was evaluated with details') {
      const r = evaluateFlag(flagSet!, scenario.flagKey!, scenario.context, NOW);
      details = toDetails(scenario.flagType!, scenario.fallback, r);
      continue;
    }
    expect(details, `a Then step before evaluation: ${text}`).toBeDefined();
    const d = details!;
    let m: RegExpMatchArray | null;
    if ((m = text.match(/^the resolved details value should be "(.*)"$/))) {
      const expected = typedValue(scenario.flagType!, m[1]!);
      expect(sameValue(d.value, expected), `value ${JSON.stringify(d.value)} ≠ ${JSON.stringify(expected)}`).toBe(true);
    } else if ((m = text.match(/^the reason should be "(.*)"$/))) {
      expect(d.reason).toBe(m[1]);
    } else if ((m = text.match(/^the error-code should be "(.*)"$/))) {
      expect(d.errorCode ?? '').toBe(m[1]);
    } else if (text === 'the resolved metadata should contain') {
      const rows = step.argument?.dataTable?.rows.slice(1) ?? [];
      expect(rows.length).toBeGreaterThan(0);
      for (const row of rows) {
        const [key, type, value] = row.cells.map((c) => c.value) as [string, string, string];
        expect(d.metadata[key], `metadata ${key}`).toEqual(typedValue(type, value));
      }
    } else if (text === 'the resolved metadata is empty') {
      expect(d.metadata).toEqual({});
    } else {
      throw new Error(`unknown step: ${text}`);
    }
  }
}
