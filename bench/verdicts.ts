/**
 * `verdicts`: how often the health rule is wrong, measured by simulation (the proof of the rule).
 * Simulated rollouts are replayed minute by minute through the real verdict code
 * (bench/lib/verdict-sim.ts: the sequential guards advanced as the cron advances them, then the
 * health policy with the seed's default limits and α = 1 %), and on the same minutes the rule it
 * replaced (> 1 % errors in each of the last 5 minutes with ≥ 100 samples).
 * Pure and seeded: the numbers depend on the code and the seed only, never on the machine.
 *
 * 1. A/A: treatment = baseline; errors log-uniform 0.1–2 %; flag traffic log-uniform so that the
 *    treatment serves 10 req/min at 5 % up to 100,000 at 75 %; stages 5/10/25/50/75 % of
 *    STAGE_HOURS each. False rollbacks; environment-wide and sample-ratio holds. The same with
 *    latency (log-normal, equal in both cohorts) on fewer rollouts, for the latency guards.
 * 2. Power at the 5 % stage, baseline 0.5 % errors: 2× and 5× errors; P95 doubled (all latencies
 *    ×2); at 20, 100 and 1,000 treatment requests a minute: treatment requests until the rollback.
 * 3. Environment-wide incident: both cohorts at 3 % errors.
 * 4. Sample ratio: a reporter that drops half the treatment's reports.
 */
import { mulberry32 } from '../test/helpers/seeded-random';
import { fmtInt } from './lib/format';
import type { BenchFn, BudgetCheck, Table } from './lib/types';
import type { Uniform } from './lib/random-counts';
import { aaSpec, type Firing, logUniform, type Proportion, proportion, quantileWithInterval, type RolloutSpec, simulateRollout } from './lib/verdict-sim';

const STAGE_HOURS = 3;
const DAY = 1440;
const LATENCY = { medianMs: 80, sigma: 0.6, treatmentFactor: 1 };

const pct = (x: number, digits = 2) => `${(100 * x).toFixed(digits)} %`;
const fmtProp = (p: Proportion) => `${pct(p.rate)} (${pct(p.low)}–${pct(p.high)}; ${fmtInt(p.hits)} of ${fmtInt(p.trials)})`;
const fmtReq = (n: number) => (Number.isFinite(n) ? fmtInt(n) : 'never');
const fmtQuantile = (values: number[], q: number) => {
  const r = quantileWithInterval(values, q);
  return `${fmtReq(r.value)} (${fmtReq(r.low)}–${fmtReq(r.high)})`;
};
const requestsAt = (f: Firing | null) => (f ? f.treatmentRequests : Infinity);

interface AaCounts {
  runs: number;
  rollback: number;
  oldRule: number;
  environmentHold: number;
  sampleRatioHold: number;
  lowBase: number;
  lowBaseRollback: number;
  lowBaseOld: number;
  triggers: Record<string, number>;
}

export function aa(runs: number, minutesPerStage: number, u: Uniform, latency: boolean): AaCounts {
  const c: AaCounts = { runs, rollback: 0, oldRule: 0, environmentHold: 0, sampleRatioHold: 0, lowBase: 0, lowBaseRollback: 0, lowBaseOld: 0, triggers: {} };
  for (let i = 0; i < runs; i++) {
    const spec: RolloutSpec = { ...aaSpec(u, minutesPerStage), ...(latency ? { latency: LATENCY } : {}) };
    const o = simulateRollout(spec, u);
    const low = spec.baselineErrorRate < 0.01;
    if (o.rollback) {
      c.rollback++;
      c.triggers[o.rollback.trigger ?? '?'] = (c.triggers[o.rollback.trigger ?? '?'] ?? 0) + 1;
    }
    if (o.oldRule) c.oldRule++;
    if (o.environmentHold) c.environmentHold++;
    if (o.sampleRatioHold) c.sampleRatioHold++;
    if (low) {
      c.lowBase++;
      if (o.rollback) c.lowBaseRollback++;
      if (o.oldRule) c.lowBaseOld++;
    }
  }
  return c;
}

interface PowerRow {
  label: string;
  perMinute: number;
  goal: number;
  rule: number[];
  oldRule: number[];
}

/** Regressions at the 5 % stage for up to a day: the treatment requests served until each rule rolls back. */
export function power(runs: number, perMinutes: readonly number[]): PowerRow[] {
  const cases: Array<{ label: string; goal: number; spec: Partial<RolloutSpec> }> = [
    { label: '2× errors (0.5 % → 1 %)', goal: 8500, spec: { treatmentErrorRate: 0.01 } },
    { label: '5× errors (0.5 % → 2.5 %)', goal: 900, spec: { treatmentErrorRate: 0.025 } },
    { label: 'P95 doubled (errors 0.5 %)', goal: 700, spec: { latency: { ...LATENCY, treatmentFactor: 2 } } },
  ];
  const rows: PowerRow[] = [];
  for (const c of cases) {
    for (const perMinute of perMinutes) {
      const u = mulberry32(0xb0 + perMinute + c.goal);
      const row: PowerRow = { label: c.label, perMinute, goal: c.goal, rule: [], oldRule: [] };
      // A day, or for the latency case (costly to draw) 3 hours: it is detected within minutes or not at all.
      const minutes = c.spec.latency ? 180 : DAY;
      for (let i = 0; i < runs; i++) {
        const spec: RolloutSpec = {
          baselineErrorRate: 0.005,
          treatmentErrorRate: 0.005,
          flagRequestsPerMinute: perMinute / 0.05,
          stages: [{ share: 0.05, minutes }],
          ...c.spec,
        };
        const o = simulateRollout(spec, u);
        row.rule.push(requestsAt(o.rollback));
        row.oldRule.push(requestsAt(o.oldRule));
      }
      rows.push(row);
    }
  }
  return rows;
}

/** Both cohorts at 3 % errors through every stage: each should hold as environment-wide, none roll back. */
export function environmentWide(runs: number, minutesPerStage: number, u: Uniform) {
  let rollbacks = 0;
  let holds = 0;
  let oldRule = 0;
  for (let i = 0; i < runs; i++) {
    const spec = { ...aaSpec(u, minutesPerStage), baselineErrorRate: 0.03, treatmentErrorRate: 0.03 };
    const o = simulateRollout(spec, u);
    if (o.rollback) rollbacks++;
    if (o.environmentHold) holds++;
    if (o.oldRule) oldRule++;
  }
  return { runs, rollbacks, holds, oldRule };
}

/** A/A rollouts whose reporter delivers each treatment report with chance 1/2. */
export function lossyReporter(runs: number, minutesPerStage: number, u: Uniform) {
  const minutes: number[] = [];
  let rollbacks = 0;
  for (let i = 0; i < runs; i++) {
    const o = simulateRollout({ ...aaSpec(u, minutesPerStage), treatmentReportKept: 0.5 }, u);
    minutes.push(o.sampleRatioHold ? o.sampleRatioHold.minute : Infinity);
    if (o.rollback) rollbacks++;
  }
  return { runs, minutes, detected: minutes.filter(Number.isFinite).length, rollbacks };
}

export const verdicts: BenchFn = ({ quick, log }) => {
  const scale = quick ? 10 : 1;
  const stage = STAGE_HOURS * 60;
  log('A/A (errors)');
  const a = aa(10_000 / scale, stage, mulberry32(0x0a0a), false);
  log('A/A (errors and latency)');
  const al = aa(1_000 / scale, 60, mulberry32(0x1a1a), true);
  log('power');
  const p = power(1_000 / scale, [20, 100, 1000]);
  log('environment-wide');
  const e = environmentWide(1_000 / scale, 60, mulberry32(0xe3));
  log('sample ratio');
  const s = lossyReporter(1_000 / scale, 60, mulberry32(0x5a5a));

  const rule = proportion(a.rollback, a.runs);
  const ruleLatency = proportion(al.rollback, al.runs);
  const aaTable: Table = {
    title: 'A/A: false rollbacks per rollout (treatment = baseline), 95 % intervals',
    columns: ['Rule', 'All baselines (0.1–2 %)', 'Baselines < 1 %'],
    rows: [
      [
        'New rule (guards vs baseline at α = 1 %, limits with 99 % confidence, environment-wide holds)',
        fmtProp(rule),
        fmtProp(proportion(a.lowBaseRollback, a.lowBase)),
      ],
      ['Old rule: > 1 % in each of the last 5 minutes (≥ 100 samples)', fmtProp(proportion(a.oldRule, a.runs)), fmtProp(proportion(a.lowBaseOld, a.lowBase))],
      ['New rule, with latency in the reports (P95, P99 guards too)', fmtProp(ruleLatency), '—'],
      ['New rule: holds as environment-wide (baseline breaches as well)', fmtProp(proportion(a.environmentHold, a.runs)), '—'],
      ['New rule: holds for a sample-ratio mismatch', fmtProp(proportion(a.sampleRatioHold, a.runs)), '—'],
    ],
    notes: [
      `${fmtInt(a.runs)} simulated rollouts, stages 5/10/25/50/75 % of ${STAGE_HOURS} h each, baseline errors log-uniform 0.1–2 %, flag traffic log-uniform so that the treatment serves 10 req/min at 5 % up to 100,000 at 75 %; Poisson requests, binomial errors, flat traffic. Latency row: ${fmtInt(al.runs)} rollouts of 1 h stages, log-normal latency (median ${LATENCY.medianMs} ms, σ ${LATENCY.sigma}) in both cohorts.`,
      `Triggers of the new rule's false rollbacks: ${JSON.stringify({ ...a.triggers })}; with latency: ${JSON.stringify({ ...al.triggers })}.`,
      'The old rule rolls back healthy rollouts whose baseline is above 1 % (every minute breaches an absolute limit); the new rule holds those as environment-wide instead.',
    ],
  };
  const within = (values: number[], goal: number) => proportion(values.filter((v) => v <= goal).length, values.length);
  const powerTable: Table = {
    title: 'Power at the 5 % stage: treatment requests served until the rollback',
    columns: ['Regression', 'Treatment req/min', 'Rule', 'Rolled back within goal', 'Median', '95th percentile', 'Ever (in the run)'],
    rows: p.flatMap((r) =>
      (['rule', 'oldRule'] as const).map((which) => [
        r.label,
        fmtInt(r.perMinute),
        which === 'rule' ? 'new rule' : 'old rule',
        `${fmtProp(within(r[which], r.goal))} ≤ ${fmtInt(r.goal)}`,
        fmtQuantile(r[which], 0.5),
        fmtQuantile(r[which], 0.95),
        pct(r[which].filter(Number.isFinite).length / r[which].length, 1),
      ]),
    ),
    notes: [
      `${fmtInt(p[0]!.rule.length)} rollouts per row, up to 24 h (3 h for latency). The cron looks once a minute, so detection comes in whole minutes of treatment requests: at 1,000 req/min nothing can be rolled back before 1,000.`,
      'Quantiles with 95 % order-statistic intervals; "never" = not rolled back within the run.',
    ],
  };
  const otherTable: Table = {
    title: 'Environment-wide incidents and a lossy reporter',
    columns: ['Case', 'Rollouts', 'Rolled back (new rule)', 'Held (new rule)', 'Rolled back (old rule)'],
    rows: [
      [
        'Both cohorts at 3 % errors (stages of 1 h)',
        fmtInt(e.runs),
        fmtProp(proportion(e.rollbacks, e.runs)),
        fmtProp(proportion(e.holds, e.runs)),
        fmtProp(proportion(e.oldRule, e.runs)),
      ],
      [
        "A/A, reporter drops half the treatment's reports (stages of 1 h)",
        fmtInt(s.runs),
        fmtProp(proportion(s.rollbacks, s.runs)),
        `${fmtProp(proportion(s.detected, s.runs))}; median minute ${fmtQuantile(s.minutes, 0.5)}`,
        '—',
      ],
    ],
  };

  const budgets: BudgetCheck[] = [
    { name: 'A/A false rollbacks, α = 1 % (upper 95 % bound)', target: '≤ 1 %', measured: fmtProp(rule), pass: rule.high <= 0.01 },
    { name: 'A/A false rollbacks with latency, α = 1 % (rate)', target: '≤ 1 %', measured: fmtProp(ruleLatency), pass: ruleLatency.rate <= 0.01 },
  ];
  for (const r of p.filter((row) => row.perMinute === 100)) {
    const w = within(r.rule, r.goal);
    budgets.push({
      name: `${r.label} at 5 %, 100 req/min: rolled back within ${fmtInt(r.goal)} treatment requests`,
      target: '≥ 95 %',
      measured: fmtProp(w),
      pass: w.rate >= 0.95,
    });
  }
  const envRollbacks = proportion(e.rollbacks, e.runs);
  budgets.push({ name: 'Environment-wide incident (3 % in both cohorts): rollbacks', target: '0', measured: fmtProp(envRollbacks), pass: e.rollbacks === 0 });
  const srmDetected = proportion(s.detected, s.runs);
  budgets.push({
    name: 'Sample ratio: half the treatment reports dropped, held',
    target: '≥ 99 %',
    measured: fmtProp(srmDetected),
    pass: srmDetected.rate >= 0.99,
  });

  return {
    status: 'ok',
    tables: [aaTable, powerTable, otherTable],
    budgets,
    data: {
      aa: a,
      aaLatency: al,
      power: p.map((r) => ({ label: r.label, perMinute: r.perMinute, goal: r.goal, within: within(r.rule, r.goal), oldWithin: within(r.oldRule, r.goal) })),
      environmentWide: e,
      lossyReporter: { runs: s.runs, detected: s.detected, rollbacks: s.rollbacks },
    },
  };
};

export { logUniform };
