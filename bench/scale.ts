/**
 * `scale`: does evaluating one flag get slower as the snapshot grows, and what does loading a
 * snapshot at the edge (JSON.parse + structural check + lazy compile) cost at 10 … 10,000 flags?
 * Budgets: single-flag evaluation at 10,000 flags within 1.2× of 10 flags; load of 10,000 ≤ 30 ms.
 */
import type { EvaluationContext } from '@openfeature/core';
import { type CompiledFlagSet, compileFlagSet, evaluateAll, evaluateFlag } from '../src/core/flags/flag-set';
import { loadSnapshot } from '../src/store/loaded-snapshot';
import { trustedSnapshotOf } from '../src/store/snapshot-shape';
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
  /** The KV value: the set with its envelope, as text and parsed. */
  edgeJson: string;
  edgeParsed: unknown;
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
// `jitless` as on workerd, where `new Function` is forbidden and zod skips its generated fast path.
// `total` is the edge's load of a KV value (SnapshotStore.accept): JSON.parse, the structural
// check (trustedSnapshotOf: envelope and shared parts through their schemas, flags by shape) and
// loadSnapshot, whose flags compile on first use; `zod` is the full schema the coordinator runs
// (and the edge ran before), `compile-all` the per-flag work a bulk request then pays once.
const JITLESS = { jitless: true } as const;
const stageCases = (s: Snapshot): Case[] => [
  {
    name: `total ${s.size}`,
    inputs: 0,
    run: (_, n) => {
      let acc = 0;
      for (let i = 0; i < n; i++) {
        const trusted = trustedSnapshotOf(JSON.parse(s.edgeJson));
        if (typeof trusted === 'string') throw new Error(trusted);
        acc += loadSnapshot(trusted, 'kv', {}, s.edgeJson).loaded.flags.list.length;
      }
      return acc;
    },
  },
  {
    name: `json ${s.size}`,
    inputs: 0,
    run: (_, n) => {
      let acc = 0;
      for (let i = 0; i < n; i++) acc += JSON.parse(s.edgeJson) ? 1 : 0;
      return acc;
    },
  },
  {
    name: `shape ${s.size}`,
    inputs: 0,
    run: (_, n) => {
      let acc = 0;
      for (let i = 0; i < n; i++) acc += typeof trustedSnapshotOf(s.edgeParsed) === 'string' ? 0 : 1;
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
    name: `compile-all ${s.size}`,
    inputs: 0,
    run: (_, n) => {
      let acc = 0;
      for (let i = 0; i < n; i++) acc += evaluateAll(compileFlagSet(s.validated), {}, 0).length;
      return acc;
    },
  },
];

/** The generated flag set as the coordinator publishes it to KV: with its `$rollgate` envelope. */
function withEnvelope(parsed: unknown): string {
  const $rollgate = {
    format: 1,
    environment: 'staging',
    version: 1,
    publishedAt: '2026-11-27T12:00:00.000Z',
    clientKeys: [{ name: 'k', sha256: 'a'.repeat(64) }],
  };
  return JSON.stringify({ ...(parsed as object), $rollgate });
}

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
    const edgeJson = withEnvelope(parsed);
    return { size, json, parsed, edgeJson, edgeParsed: JSON.parse(edgeJson), validated, set: compileFlagSet(validated) };
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
      fmtNs(g('shape').medianNs),
      fmtNs(g('zod').medianNs),
      fmtNs(g('compile-all').medianNs),
      fmtNs(g('compile-all').medianNs / s.size),
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
        title: 'Snapshot load at the edge: JSON.parse + structural check + loadSnapshot (flags compile on first use), per load',
        columns: [
          'Flags',
          'Total median',
          'Total p99',
          'Per flag',
          'JSON.parse',
          'structural check',
          'full zod (jitless; coordinator only)',
          'validate + compile every flag',
          'per flag',
          'Samples × ops',
        ],
        rows: loadRows,
        notes: [
          `Total = \`loadSnapshot(trustedSnapshotOf(JSON.parse(kvText)), 'kv', {}, kvText)\`, what SnapshotStore does with a new KV value (src/store/snapshot-shape.ts): the coordinator validated every flag before publishing, so the edge checks the shape (top-level object, \`flags\` an object of objects, no \`__proto__\` keys), the envelope and the shared rules and metadata through their schemas, and validates and compiles each flag on its first evaluation (src/core/flags/lazy-flag.ts), where a bad flag answers PARSE_ERROR alone. Budget: ≤ 30 ms at 10,000 flags: ${verdict(loadT.get('total 10000')!.medianNs <= 30e6)} (${fmtNs(loadT.get('total 10000')!.medianNs)}).`,
          '"full zod" is zPublishedFlagSet over every flag (jitless, as on workerd), which the edge ran before and the coordinator still runs; "validate + compile every flag" is the deferred work, paid once per flag by its first evaluation (a bulk request pays it for all).',
          'Stage columns are medians of each stage timed alone on the previous stage’s output; they need not add up exactly to the total. p99 over few samples is close to the maximum.',
        ],
      },
    ],
    budgets: [
      { name: 'evaluation cost, 10 → 10,000 flags', target: `≤ ${MAX_GROWTH}×`, measured: fmtRatio(growth), pass: growth <= MAX_GROWTH },
      {
        name: 'snapshot load at the edge, 10,000 flags (median)',
        target: '≤ 30 ms',
        measured: fmtNs(loadT.get('total 10000')!.medianNs),
        pass: loadT.get('total 10000')!.medianNs <= 30e6,
      },
    ],
    data: { timings, sizes: SIZES, snapshotBytes: snaps.map((s) => s.json.length) },
  };
}
