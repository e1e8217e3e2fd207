/**
 * `scale`: does evaluating one flag get slower as the snapshot grows, and what does loading a
 * snapshot (JSON.parse + zod validation + compileFlagSet) cost at 10 … 10,000 flags?
 * Budget: single-flag evaluation at 10,000 flags within 1.2× of 10 flags.
 */
import type { EvaluationContext } from '@openfeature/core';
import { type CompiledFlagSet, compileFlagSet, evaluateFlag } from '../src/core/flags/flag-set';
import { zPublishedFlagSet } from '../src/core/schema/flag-set';
import { AnswerCheck, oursRaw, oursTyped, theirs } from './lib/answers';
import { checkBulk } from './lib/bulk-check';
import { makeContexts } from './lib/contexts';
import { makeFlagdCore } from './lib/flagd';
import { fmtBytes, fmtInt, fmtNs, fmtRatio, fmtSpread, verdict } from './lib/format';
import { type Case, DEFAULT_OPTIONS, measureCases, type MeasureOptions, pairedRatio, QUICK_OPTIONS } from './lib/measure';
import { generateSnapshot, TARGET_KEY } from './lib/snapshot-gen';
import type { BenchOptions, BenchOutcome, Timing } from './lib/types';

const SIZES = [10, 100, 1_000, 10_000] as const;
const MAX_GROWTH = 1.2;

/** Loading is slow at 10,000 flags, so rounds are longer and batches may be a single load. */
const LOAD_OPTIONS: MeasureOptions = { warmupMs: 300, rounds: 8, roundMs: 200, batchNs: 1_000_000 };
const LOAD_QUICK: MeasureOptions = { warmupMs: 50, rounds: 3, roundMs: 40, batchNs: 500_000 };

interface Snapshot {
  size: number;
  json: string;
  parsed: unknown;
  validated: ReturnType<typeof zPublishedFlagSet.parse>;
  set: CompiledFlagSet;
}

function evalCase(name: string, set: CompiledFlagSet, contexts: EvaluationContext[]): Case {
  return {
    name,
    inputs: contexts.length,
    run(start, count) {
      let acc = 0;
      for (let i = start; i < start + count; i++) acc += evaluateFlag(set, TARGET_KEY, contexts[i]!, Date.now()).reason.length;
      return acc;
    },
  };
}

// One literal per load stage, so that each stage's loop only ever calls one function. zod runs
// `jitless` as on workerd, where `new Function` is forbidden and zod skips its generated fast path;
// the `zod-jit` stage (Node only) shows what that costs.
const JITLESS = { jitless: true } as const;
const stageCases = (s: Snapshot): Case[] => [
  {
    name: `total ${s.size}`,
    inputs: 0,
    run: (_, n) => {
      let acc = 0;
      for (let i = 0; i < n; i++) acc += compileFlagSet(zPublishedFlagSet.parse(JSON.parse(s.json), JITLESS)).list.length;
      return acc;
    },
  },
  {
    name: `json ${s.size}`,
    inputs: 0,
    run: (_, n) => {
      let acc = 0;
      for (let i = 0; i < n; i++) acc += JSON.parse(s.json) ? 1 : 0;
      return acc;
    },
  },
  {
    name: `zod ${s.size}`,
    inputs: 0,
    run: (_, n) => {
      let acc = 0;
      for (let i = 0; i < n; i++) acc += zPublishedFlagSet.parse(s.parsed, JITLESS) ? 1 : 0;
      return acc;
    },
  },
  {
    name: `zod-jit ${s.size}`,
    inputs: 0,
    run: (_, n) => {
      let acc = 0;
      for (let i = 0; i < n; i++) acc += zPublishedFlagSet.parse(s.parsed) ? 1 : 0;
      return acc;
    },
  },
  {
    name: `compile ${s.size}`,
    inputs: 0,
    run: (_, n) => {
      let acc = 0;
      for (let i = 0; i < n; i++) acc += compileFlagSet(s.validated).list.length;
      return acc;
    },
  },
];

/** The target flag must answer the same in every snapshot, and as flagd-core does. */
function checkAnswers(snaps: Snapshot[], contexts: EvaluationContext[], quick: boolean): string[] {
  const base = snaps[0]!;
  const ref = makeFlagdCore(base.json);
  const vsFlagd = new AnswerCheck(`${TARGET_KEY} in ${base.size} flags vs flagd-core`);
  const vsSizes = new AnswerCheck(
    `${TARGET_KEY} in ${snaps
      .slice(1)
      .map((s) => s.size)
      .join('/')} flags vs ${base.size} flags`,
  );
  contexts.forEach((ctx, i) => {
    const mine = evaluateFlag(base.set, TARGET_KEY, ctx, Date.now());
    vsFlagd.add(`context #${i}`, oursTyped(mine, 'string', 'fallback'), theirs(ref.resolve('string', TARGET_KEY, 'fallback', ctx)));
    for (const s of snaps.slice(1)) vsSizes.add(`${s.size} flags, context #${i}`, oursRaw(evaluateFlag(s.set, TARGET_KEY, ctx, Date.now())), oursRaw(mine));
  });
  // The generator must produce flags both evaluators read alike (rollouts excepted: flagd has none).
  const sample = snaps[1]!;
  const rolloutKeys = new Set(sample.set.list.filter((f) => Object.hasOwn(sample.validated.flags[f.key]!, 'rollout')).map((f) => f.key));
  const generated = checkBulk(
    `all ${sample.size - rolloutKeys.size} non-rollout flags of the ${sample.size}-flag snapshot vs flagd-core`,
    sample.set,
    makeFlagdCore(sample.json),
    contexts.slice(0, quick ? 200 : 1_000),
    rolloutKeys,
  );
  return [vsFlagd.assert(), vsSizes.assert(), generated];
}

export async function scale(opts: BenchOptions): Promise<BenchOutcome> {
  const contexts = makeContexts(10_000);
  const snaps: Snapshot[] = SIZES.map((size) => {
    const json = generateSnapshot(size);
    const parsed: unknown = JSON.parse(json);
    const validated = zPublishedFlagSet.parse(parsed);
    return { size, json, parsed, validated, set: compileFlagSet(validated) };
  });

  opts.log('checking answers …');
  const notes = checkAnswers(snaps, contexts, opts.quick);
  for (const n of notes) opts.log(`  ok ${n}`);

  opts.log('timing single-flag evaluation …');
  const evalT = measureCases(
    snaps.map((s) => evalCase(String(s.size), s.set, contexts)),
    opts.quick ? QUICK_OPTIONS : DEFAULT_OPTIONS,
  );
  opts.log('timing parse + validate + compile …');
  const loadT = measureCases(snaps.flatMap(stageCases), opts.quick ? LOAD_QUICK : LOAD_OPTIONS);

  const first = evalT.get(String(SIZES[0]))!;
  const evalRows = snaps.map((s) => {
    const t = evalT.get(String(s.size))!;
    return [
      fmtInt(s.size),
      fmtBytes(s.json.length),
      fmtNs(t.medianNs),
      fmtNs(t.p99Ns),
      fmtSpread(t),
      `${fmtInt(t.samples)} × ${fmtInt(t.opsPerSample)}`,
      fmtRatio(pairedRatio(t, first)),
    ];
  });
  const loadRows = snaps.map((s) => {
    const g = (stage: string) => loadT.get(`${stage} ${s.size}`)!;
    const total = g('total');
    return [
      fmtInt(s.size),
      fmtNs(total.medianNs),
      fmtNs(total.p99Ns),
      fmtNs(total.medianNs / s.size),
      fmtNs(g('json').medianNs),
      fmtNs(g('zod').medianNs),
      fmtNs(g('zod-jit').medianNs),
      fmtNs(g('compile').medianNs),
      `${fmtInt(total.samples)} × ${fmtInt(total.opsPerSample)}`,
    ];
  });
  const last = evalT.get(String(SIZES[SIZES.length - 1]))!;
  const growth = pairedRatio(last, first);
  opts.log(`evaluation ${fmtNs(first.medianNs)} at ${SIZES[0]} flags → ${fmtNs(last.medianNs)} at ${fmtInt(SIZES[SIZES.length - 1]!)} (${fmtRatio(growth)})`);

  const timings: Record<string, Timing> = {};
  for (const [k, v] of [...evalT, ...[...loadT].map(([k2, v2]) => [`load ${k2}`, v2] as const)]) timings[k] = v;
  return {
    status: 'ok',
    tables: [
      {
        title: `Single-flag evaluation (\`${TARGET_KEY}\`: targeting + fractional) vs snapshot size, ns per call`,
        columns: ['Flags', 'Snapshot JSON', 'Median', 'p99', 'Round medians min–max', 'Samples × ops', 'vs 10 flags'],
        rows: evalRows,
        notes: [
          `Within ${MAX_GROWTH}× from ${SIZES[0]} to ${fmtInt(SIZES[SIZES.length - 1]!)} flags: ${verdict(growth <= MAX_GROWTH)} (${fmtRatio(growth)}).`,
          'Generated mix (seeded): ~35 % static boolean, 10 % static number, 20 % targeting, 12 % fractional, 10 % targeting + fractional, 5 % `$ref` object flags, 5 % disabled, 3 % rollouts; ~30 % with metadata.',
          `Same ${fmtInt(contexts.length)} seeded contexts as \`core\`; sizes are timed interleaved, round by round; each call includes \`Date.now()\`. "vs 10 flags" is the median over rounds of the paired ratio of round medians.`,
          ...notes.map((n) => `Answer check — ${n}.`),
        ],
      },
      {
        title: 'Snapshot load: JSON.parse + zPublishedFlagSet.parse + compileFlagSet, per load',
        columns: ['Flags', 'Total median', 'Total p99', 'Per flag', 'JSON.parse', 'zod (jitless)', 'zod (JIT, Node only)', 'compileFlagSet', 'Samples × ops'],
        rows: loadRows,
        notes: [
          'Total = `compileFlagSet(zPublishedFlagSet.parse(JSON.parse(json), { jitless: true }))`. zod is timed jitless because on workerd it detects that `new Function` is unavailable and skips its generated fast path; the JIT column is what Node alone would show.',
          'Stage columns are medians of each stage timed alone on the previous stage’s output; they need not add up exactly to the total. p99 over few samples is close to the maximum.',
        ],
      },
    ],
    budgets: [{ name: 'evaluation cost, 10 → 10,000 flags', target: `≤ ${MAX_GROWTH}×`, measured: fmtRatio(growth), pass: growth <= MAX_GROWTH }],
    data: { timings, sizes: SIZES, snapshotBytes: snaps.map((s) => s.json.length) },
  };
}
