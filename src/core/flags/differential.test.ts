/**
 * Differential test: every flag × thousands of generated contexts, evaluated by Rollgate's
 * compiled evaluator and by @openfeature/flagd-core (json-logic-engine in interpreter mode),
 * which is the reference whose results we must reproduce for ASCII input.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import type { EvaluationContext } from '@openfeature/core';
import { FlagdCore } from '@openfeature/flagd-core';
import { afterAll, describe, expect, it } from 'vitest';
import { zFlagdDocument } from '../schema/flag-set';
import { compileFlagSet, evaluateFlag } from './flag-set';
import type { Resolution } from './resolution';
import { generateContexts } from '../../../test/helpers/differential/contexts';
import { TESTBED, testbedAvailable } from '../../../test/helpers/shared-testbed';
import {
  contextIndependentFlagSet,
  operatorFlagSet,
  operatorsIn,
  SCHEMA_OPERATORS,
  SEM_VER_OPERATORS,
} from '../../../test/helpers/differential/operator-coverage';
import { backwardRefFlagSet, evaluators, probes } from '../../../test/helpers/differential/probe-flags';

const TESTKIT = join(TESTBED, 'flags/testkit-flags.json');
const NOW = Date.UTC(2026, 10, 27);
const CONTEXTS = 10_000;
const SEED = 0x5eed_f1a9;

// ---------------------------------------------------------------------------------------------
// Extra flag set: one probe per operator form of flagd's targeting schema.
// A probe returns whatever its rule computes; the result names a variant when it can, and when it
// does not, both evaluators report the missing variant by name, which is compared too.
// ---------------------------------------------------------------------------------------------

interface Outcome {
  reason: string;
  value?: unknown;
  variant?: string;
  errorCode?: string;
  /** The variant a rule named that the flag does not have (from the GENERAL error's message). */
  missingVariant?: string;
  /** The flag's metadata over the set's. */
  metadata?: unknown;
}

const MISSING_VARIANT = /^variant '(.*)' not found in flag/is;

function ours(r: Resolution): Outcome {
  return {
    reason: r.reason,
    value: r.value,
    variant: r.variant,
    errorCode: r.errorCode,
    missingVariant: r.errorDetails ? MISSING_VARIANT.exec(r.errorDetails)?.[1] : undefined,
    metadata: r.metadata,
  };
}

/** flagd-core's FeatureFlag.evaluate does not look at state; resolve() maps DISABLED as we do. */
function theirs(core: FlagdCore, key: string, context: Record<string, unknown>): Outcome {
  const flag = core.getFlag(key);
  // flagd reports an unknown flag with the set's metadata, a disabled one with its own.
  if (!flag) return { reason: 'ERROR', errorCode: 'FLAG_NOT_FOUND', metadata: core.getFlagSetMetadata() };
  if (flag.state === 'DISABLED') return { reason: 'DISABLED', metadata: flag.metadata };
  const r = flag.evaluate(context as EvaluationContext);
  return {
    reason: r.reason,
    value: r.value,
    variant: r.variant,
    errorCode: r.errorCode,
    missingVariant: r.errorMessage ? MISSING_VARIANT.exec(r.errorMessage)?.[1] : undefined,
    metadata: r.flagMetadata,
  };
}

function same(a: Outcome, b: Outcome): boolean {
  return (
    a.reason === b.reason &&
    a.variant === b.variant &&
    a.errorCode === b.errorCode &&
    a.missingVariant === b.missingVariant &&
    isDeepStrictEqual(a.value, b.value) &&
    isDeepStrictEqual(a.metadata, b.metadata)
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
  // Every context against every flag of the document and one unknown flag: nothing skipped.
  const flags = Object.keys((JSON.parse(documentJson) as { flags: object }).flags).length;
  expect(flags).toBeGreaterThan(1);
  expect(r.comparisons).toBe(list.length * (flags + 1));
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

  it("probes every operator of flagd's targeting schema on the full set of contexts", () => {
    const [ops, semVerOps] = operatorsIn([probes, evaluators]);
    expect(SCHEMA_OPERATORS.filter((op) => !ops.has(op))).toEqual([]);
    expect(SEM_VER_OPERATORS.filter((op) => !semVerOps.has(op))).toEqual([]);
  });

  it.skipIf(!testbedAvailable(TESTKIT, 'differential on the flagd testkit'))('agrees on the flagd testkit flags', { timeout: TIMEOUT }, () => {
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
    for (const [x, variant] of [
      [1, 'no'],
      [2, 'yes'],
    ] as const) {
      expect(theirs(core, 'backward', { x })).toMatchObject({ reason: 'ERROR', errorCode: 'PARSE_ERROR' });
      expect(ours(evaluateFlag(set, 'backward', { x }, NOW))).toMatchObject({ reason: 'TARGETING_MATCH', variant });
    }
  });
});
