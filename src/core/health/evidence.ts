/**
 * The sequential guards as a family, and their evidence in words and numbers for operators.
 * The guards that roll back (errors, P95 and P99 against the baseline) share the rollout's α by
 * weighted Bonferroni (family.ts), so each needs evidence 1/(its share of α); the sample-ratio
 * check only holds, so it is outside the family and needs 1/α.
 */
import { binValue } from '../metrics/sketch';
import type { GuardEvidence, GuardState, RelativeGuardName } from '../schema/guards';
import { firstFailingGuard, guardAlpha } from './sequential/family';
import { relativeEvidence, relativeLogEvidence } from './sequential/relative-guard';
import { sampleRatioEvidence, sampleRatioMismatch } from './sequential/sample-ratio';
import { grouped } from '../numbers';

/** The guards that can roll back, in the order a decision names them. */
export const RELATIVE_GUARDS: readonly RelativeGuardName[] = ['errors', 'p95', 'p99'];

/**
 * Each guard's share of α (weighted Bonferroni: the shares add up to 1, so the family stays
 * within α whatever the dependence). Errors get most of it: they are what most bad releases break,
 * and a regression in errors is rarer evidence than in latency, where every request counts.
 */
export const ALPHA_SHARES: Readonly<Record<RelativeGuardName, number>> = { errors: 2 / 3, p95: 1 / 6, p99: 1 / 6 };

/** The first relative guard whose evidence reached 1/(its share of α), or null. */
export function failingRelativeGuard(state: GuardState, alpha: number): RelativeGuardName | null {
  return firstFailingGuard(
    RELATIVE_GUARDS.map((name) => ({ name, logEvidence: relativeLogEvidence(state[name]), share: ALPHA_SHARES[name] })),
    alpha,
  );
}

/** True when the reported share of the treatment is off the rollout's percent, at level α. */
export function sampleRatioOff(state: GuardState, alpha: number): boolean {
  return sampleRatioMismatch(state.sampleRatio, alpha);
}

/** Each guard's evidence and what it needs, for the verdict's numbers. */
export function guardEvidence(state: GuardState, alpha: number): GuardEvidence[] {
  const out: GuardEvidence[] = RELATIVE_GUARDS.map((guard) => {
    const g = state[guard];
    const e: GuardEvidence = {
      guard,
      evidence: relativeEvidence(g),
      needed: 1 / guardAlpha(alpha, ALPHA_SHARES[guard]),
      treatment: { requests: g.totals.treatmentRequests, events: g.totals.treatmentEvents },
      baseline: { requests: g.totals.baselineRequests, events: g.totals.baselineEvents },
    };
    const bin = guard === 'p95' ? state.reference.p95Bin : guard === 'p99' ? state.reference.p99Bin : null;
    if (bin !== null) e.thresholdMs = binValue(bin);
    return e;
  });
  const s = state.sampleRatio;
  const reported = s.treatmentRequests + s.baselineRequests;
  out.push({
    guard: 'sample_ratio',
    evidence: sampleRatioEvidence(s),
    needed: 1 / alpha,
    treatment: { requests: s.treatmentRequests, events: s.treatmentRequests },
    baseline: { requests: s.baselineRequests, events: s.baselineRequests },
    ...(reported > 0 ? { expectedShare: s.expectedTreatment / reported } : {}),
  });
  return out;
}

/** A rate as a percentage with up to 3 significant digits, e.g. "1.9 %"; "–" without requests. */
function rate(events: number, requests: number): string {
  if (!(requests > 0)) return '–';
  const percent = (100 * events) / requests;
  // Below 0.001 %, toPrecision would print an exponent ("3.3e-14 %").
  return percent > 0 && percent < 0.001 ? '< 0.001 %' : `${Number(percent.toPrecision(2))} %`;
}

/** Evidence for people: whole numbers from 10 on, 2 significant digits below. */
function amount(x: number): string {
  if (x >= 1e9) return x.toExponential(1);
  // A better treatment drives the evidence towards 0: "1e-300" says nothing more than this.
  if (x > 0 && x < 0.01) return '< 0.01';
  return x >= 10 ? grouped(x) : String(Number(x.toPrecision(2)));
}

const WHAT: Record<GuardEvidence['guard'], string> = {
  errors: 'errors',
  p95: 'slower than the baseline P95',
  p99: 'slower than the baseline P99',
  sample_ratio: 'sample ratio',
};

/**
 * One guard in words, e.g. "errors: treatment 1.9 % vs baseline 0.5 % (n = 3,120 / 59,300) —
 * evidence 47 of 300 needed".
 */
export function describeEvidence(e: GuardEvidence): string {
  const tail = `evidence ${amount(e.evidence)} of ${amount(e.needed)} needed`;
  if (e.guard === 'sample_ratio') {
    const n = e.treatment.requests + e.baseline.requests;
    const expected = e.expectedShare === undefined ? '' : `, expected ${rate(e.expectedShare * n, n)}`;
    return `${WHAT[e.guard]}: treatment ${rate(e.treatment.requests, n)} of ${grouped(n)} reported requests${expected} — ${tail}`;
  }
  const what = e.thresholdMs === undefined ? WHAT[e.guard] : `${WHAT[e.guard]} (${Math.round(e.thresholdMs)} ms)`;
  const t = e.treatment;
  const b = e.baseline;
  return `${what}: treatment ${rate(t.events, t.requests)} vs baseline ${rate(b.events, b.requests)} (n = ${grouped(t.requests)} / ${grouped(b.requests)}) — ${tail}`;
}
