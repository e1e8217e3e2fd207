/**
 * Runs one `core` case in a hot loop, for CPU profiling without the harness in the picture:
 *
 *   node --import tsx --cpu-prof --cpu-prof-dir=/tmp/rollgate-prof bench/profile.ts fractional [ours|flagd] [seconds]
 *   npx tsx bench/lib/cpuprofile-top.ts /tmp/rollgate-prof/<file>.cpuprofile
 *
 * Not a benchmark (prints no timings worth keeping); it only exists to make profiles easy.
 */
import type { EvaluationContext } from '@openfeature/core';
import { compileFlagSet, evaluateAll, evaluateFlag } from '../src/core/flags/flag-set';
import { zFlagdDocument, zPublishedFlagSet } from '../src/core/schema/flag-set';
import { flagdDocument, oursFlagSet } from './fixtures/core-flags';
import { makeContexts } from './lib/contexts';
import { makeFlagdCore } from './lib/flagd';
import { readTestkitFlags } from './lib/paths';

const KEYS: Record<string, [key: string, type: 'boolean' | 'string']> = {
  static: ['static-flag', 'boolean'],
  targeting: ['targeting-flag', 'string'],
  fractional: ['fractional-flag', 'string'],
  rollout: ['rollout-flag', 'boolean'],
};

const [which = 'fractional', side = 'ours', secondsArg = '5'] = process.argv.slice(2);
if (which !== 'bulk' && !KEYS[which]) throw new Error(`unknown case ${which}; one of ${Object.keys(KEYS).join(', ')}, bulk`);
const contexts: EvaluationContext[] = makeContexts(10_000);
const end = performance.now() + Number(secondsArg) * 1000;
let acc = 0;
let calls = 0;

if (which === 'bulk') {
  const json = readTestkitFlags();
  const ours = compileFlagSet(zFlagdDocument.parse(JSON.parse(json)));
  const ref = makeFlagdCore(json);
  while (performance.now() < end) {
    for (const ctx of contexts) acc += side === 'ours' ? evaluateAll(ours, ctx, Date.now()).length : ref.resolveAll(ctx).length;
    calls += contexts.length;
  }
} else {
  const [key, type] = KEYS[which]!;
  const ours = compileFlagSet(zPublishedFlagSet.parse(oursFlagSet));
  const ref = makeFlagdCore(flagdDocument);
  const fallback = type === 'boolean' ? false : 'fallback';
  while (performance.now() < end) {
    if (side === 'ours') for (const ctx of contexts) acc += evaluateFlag(ours, key, ctx, Date.now()).reason.length;
    else for (const ctx of contexts) acc += ref.resolve(type, key, fallback, ctx).reason?.length ?? 0;
    calls += contexts.length;
  }
}
console.log(`${which} (${side}): ${calls.toLocaleString('en-US')} calls, checksum ${acc}`);
