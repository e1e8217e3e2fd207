/**
 * `verdicts`: how often the health rule is wrong, measured by simulation (issue 10's proof).
 * Simulated rollouts are replayed minute by minute through the real verdict code
 * (bench/lib/verdict-sim.ts): the sequential relative guard at α = 1 % and the sample-ratio test
 * at α = 1 %, and on the same minutes the old rule (sustained.ts with the default limits) and the
 * absolute limit with confidence (the same 1 % and 5 minutes, a minute breaching only when its
 * 99 % Wilson lower bound is above 1 %: absolute-bound.ts).
 * Pure and seeded: the numbers depend on the code and the seed only, never on the machine.
 *
 * 1. A/A: treatment = baseline; baseline errors log-uniform 0.1–2 %; flag traffic log-uniform so
 *    that the treatment serves 10 req/min at 5 % up to 100,000 at 75 %; stages 5/10/25/50/75 %,
 *    24 h each (5 simulated days per rollout). False rollbacks of each rule; false SRM holds.
 * 2. Power at the 5 % stage, baseline 0.5 %: treatment 1 % (2×) and 2.5 % (5×), at 20, 100 and
 *    1,000 treatment requests a minute, up to 24 h: treatment requests served until the rule fires.
 * 3. SRM: A/A rollouts whose reporter delivers each treatment report with chance 1/2.
 */
import { mulberry32 } from '../src/core/seeded-random';
import { fmtInt } from './lib/format';
import type { BenchFn, BudgetCheck, Table } from './lib/types';
import { aaSpec, type Firing, type Proportion, proportion, quantileWithInterval, simulateRollout } from './lib/verdict-sim';

const ALPHA = 0.01;
const DAY = 1440;

const pct = (x: number, digits = 2) => `${(100 * x).toFixed(digits)} %`;
const fmtProp = (p: Proportion) => `${pct(p.rate)} (${pct(p.low)}–${pct(p.high)}; ${fmtInt(p.hits)} of ${fmtInt(p.trials)})`;
const fmtReq = (n: number) => (Number.isFinite(n) ? fmtInt(n) : 'never');
const fmtQuantile = (values: number[], q: number) => {
  const r = quantileWithInterval(values, q);
  return `${fmtReq(r.value)} (${fmtReq(r.low)}–${fmtReq(r.high)})`;
};
const requestsAt = (f: Firing | null) => (f ? f.treatmentRequests : Infinity);

function aa(runs: number, log: (line: string) => void) {
  const u = mulberry32(0x0a0a);
  const counts = { relative: 0, oldRule: 0, absolute: 0, srm: 0, lowBase: 0, lowBaseOld: 0, lowBaseRelative: 0, lowBaseAbsolute: 0 };
  for (let i = 0; i < runs; i++) {
    const spec = aaSpec(u, DAY);
    const o = simulateRollout(spec, ALPHA, u);
    const low = spec.baselineErrorRate < 0.01;
    if (o.relative) counts.relative++;
    if (o.oldRule) counts.oldRule++;
    if (o.absolute) counts.absolute++;
    if (o.sampleRatio) counts.srm++;
    if (low) {
      counts.lowBase++;
      if (o.oldRule) counts.lowBaseOld++;
      if (o.relative) counts.lowBaseRelative++;
      if (o.absolute) counts.lowBaseAbsolute++;
    }
    if ((i + 1) % 2000 === 0) log(`A/A ${fmtInt(i + 1)} of ${fmtInt(runs)} rollouts`);
  }
  return { runs, ...counts };
}

interface PowerRow {
  ratio: number;
  treatmentRate: number;
  perMinute: number;
  goal: number;
  relative: number[];
  oldRule: number[];
  absolute: number[];
}

function power(runs: number): PowerRow[] {
  const rows: PowerRow[] = [];
  for (const [treatmentRate, goal] of [
    [0.01, 8500],
    [0.025, 900],
  ] as const) {
    for (const perMinute of [20, 100, 1000]) {
      const u = mulberry32(0xb0 + perMinute + Math.round(treatmentRate * 1e4));
      const row: PowerRow = { ratio: treatmentRate / 0.005, treatmentRate, perMinute, goal, relative: [], oldRule: [], absolute: [] };
      for (let i = 0; i < runs; i++) {
        const o = simulateRollout(
          { baselineErrorRate: 0.005, treatmentErrorRate: treatmentRate, flagRequestsPerMinute: perMinute / 0.05, stages: [{ share: 0.05, minutes: DAY }] },
          ALPHA,
          u,
        );
        row.relative.push(requestsAt(o.relative));
        row.oldRule.push(requestsAt(o.oldRule));
        row.absolute.push(requestsAt(o.absolute));
      }
      rows.push(row);
    }
  }
  return rows;
}

function srm(runs: number) {
  const u = mulberry32(0x5a5a);
  const minutes: number[] = [];
  const requests: number[] = [];
  for (let i = 0; i < runs; i++) {
    const o = simulateRollout({ ...aaSpec(u, DAY), treatmentReportKept: 0.5 }, ALPHA, u);
    minutes.push(o.sampleRatio ? o.sampleRatio.minute : Infinity);
    requests.push(requestsAt(o.sampleRatio));
  }
  return { runs, minutes, requests, detected: minutes.filter(Number.isFinite).length };
}

export const verdicts: BenchFn = ({ quick, log }) => {
  const scale = quick ? 10 : 1;
  const a = aa(10_000 / scale, log);
  log('power');
  const p = power(2_000 / scale);
  log('sample ratio');
  const s = srm(2_000 / scale);

  const relative = proportion(a.relative, a.runs);
  const oldRule = proportion(a.oldRule, a.runs);
  const aaTable: Table = {
    title: 'A/A: false rollbacks per rollout (treatment = baseline), 95 % intervals',
    columns: ['Rule', 'All baselines (0.1–2 %)', 'Baselines < 1 %'],
    rows: [
      ['Relative guard, α = 1 % (new)', fmtProp(relative), fmtProp(proportion(a.lowBaseRelative, a.lowBase))],
      ['Old rule: > 1 % in each of the last 5 minutes (≥ 100 samples)', fmtProp(oldRule), fmtProp(proportion(a.lowBaseOld, a.lowBase))],
      [
        'Absolute limit with confidence: 99 % lower bound > 1 % in each of 5 minutes',
        fmtProp(proportion(a.absolute, a.runs)),
        fmtProp(proportion(a.lowBaseAbsolute, a.lowBase)),
      ],
      ['Sample-ratio test, α = 1 %: false holds', fmtProp(proportion(a.srm, a.runs)), '—'],
    ],
    notes: [
      `${fmtInt(a.runs)} simulated rollouts, stages 5/10/25/50/75 % of 24 h each (5 simulated days), baseline errors log-uniform 0.1–2 %, flag traffic log-uniform so that the treatment serves 10 req/min at 5 % up to 100,000 at 75 %; Poisson requests, binomial errors, flat traffic.`,
      'The old rule and the absolute limit fire on healthy rollouts whose baseline is above 1 % by design (an absolute limit; issue 10 holds those as environment-wide instead); the "< 1 %" column shows false rollbacks from noise alone.',
    ],
  };
  const within = (values: number[], goal: number) => proportion(values.filter((v) => v <= goal).length, values.length);
  const powerTable: Table = {
    title: 'Power at the 5 % stage, baseline 0.5 %: treatment requests served until the rule fires (24 h at most)',
    columns: ['Treatment errors', 'Treatment req/min', 'Rule', 'Detected within goal', 'Median', '95th percentile', 'Detected in 24 h'],
    rows: p.flatMap((r) =>
      (['relative', 'oldRule', 'absolute'] as const).map((rule) => [
        `${pct(r.treatmentRate, 1)} (${r.ratio}×)`,
        fmtInt(r.perMinute),
        { relative: 'relative guard (new)', oldRule: 'old rule', absolute: 'absolute limit with confidence' }[rule],
        `${fmtProp(within(r[rule], r.goal))} ≤ ${fmtInt(r.goal)}`,
        fmtQuantile(r[rule], 0.5),
        fmtQuantile(r[rule], 0.95),
        pct(r[rule].filter(Number.isFinite).length / r[rule].length, 1),
      ]),
    ),
    notes: [
      `${fmtInt(p[0]!.relative.length)} rollouts per row. The rule is checked once a minute, so detection is counted in whole minutes of treatment requests: at 1,000 req/min nothing can be detected before 1,000.`,
      'Quantiles with 95 % order-statistic intervals; "never" = not detected within 24 h.',
    ],
  };
  const srmDetected = proportion(s.detected, s.runs);
  const srmTable: Table = {
    title: "Sample-ratio mismatch: a reporter that drops half the treatment's reports",
    columns: ['Detected (5 days)', 'Median minutes', '95th percentile minutes', 'Median treatment requests'],
    rows: [[fmtProp(srmDetected), fmtQuantile(s.minutes, 0.5), fmtQuantile(s.minutes, 0.95), fmtQuantile(s.requests, 0.5)]],
    notes: [`${fmtInt(s.runs)} A/A rollouts as above (stages from 5 %), each treatment report delivered with chance 1/2.`],
  };

  const budgets: BudgetCheck[] = [
    { name: 'A/A false rollbacks, relative guard α = 1 % (upper 95 % bound)', target: '≤ 1 %', measured: fmtProp(relative), pass: relative.high <= 0.01 },
  ];
  for (const r of p.filter((row) => row.perMinute === 100)) {
    const w = within(r.relative, r.goal);
    budgets.push({
      name: `${r.ratio}× errors at 5 %, 100 req/min: detected within ${fmtInt(r.goal)} treatment requests`,
      target: '≥ 95 %',
      measured: fmtProp(w),
      pass: w.rate >= 0.95,
    });
  }
  budgets.push({ name: 'SRM: half the treatment reports dropped, detected', target: '≥ 99 %', measured: fmtProp(srmDetected), pass: srmDetected.rate >= 0.99 });

  return {
    status: 'ok',
    tables: [aaTable, powerTable, srmTable],
    budgets,
    data: {
      alpha: ALPHA,
      aa: a,
      power: p.map((r) => ({
        ratio: r.ratio,
        perMinute: r.perMinute,
        goal: r.goal,
        relativeWithin: within(r.relative, r.goal),
        oldWithin: within(r.oldRule, r.goal),
        absoluteWithin: within(r.absolute, r.goal),
      })),
      srm: { runs: s.runs, detected: s.detected },
    },
  };
};
