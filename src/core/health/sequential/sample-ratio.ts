/**
 * Sample-ratio mismatch (SRM): an anytime-valid two-sided test that the treatment's share of
 * reported requests is not the share the rollout assigns it. A mismatch means the reports cannot
 * be trusted (a reporter that drops or doubles one variant's reports, a cache serving a stale
 * variant), so the guards that read them cannot either: the rollout holds.
 *
 * Test. Given a period's reported requests n = nT + nB and the expected treatment share π (the
 * stage's percent), under H0 nT ~ Binomial(n, π). The alternatives multiply the odds of π by a
 * ratio r from SRM_RATIOS, on both sides of 1; the evidence is the equal-weight mixture of the
 * products of per-period likelihood ratios. As in relative-guard.ts, each LR has conditional
 * expectation 1 under H0, so the mixture is a nonnegative martingale and Ville's inequality gives
 * P(sup_t Λ_t ≥ 1/α) ≤ α over every look. Assumptions: each reported request falls into the
 * treatment independently with chance π (bucketing by a hash of the targeting key approximates
 * this when no single key sends a large part of the traffic; heavy keys make the counts
 * overdispersed and the test anti-conservative), and periods are fixed before their data is seen.
 * π may change between periods (stages); a period at 0 % or 100 % carries no information.
 *
 * Grid. Odds ratios 1/2, 2/3, 4/5, 9/10 and their inverses: mismatches of about 10 % of the odds
 * and more. Smaller ones are left out on purpose: hash bucketing of real, unequal users moves the
 * share by a few percent at high traffic, and that is not a broken reporter.
 */
import { evidenceOf, isCount, logMeanExp, logThreshold, periodLogLR } from './conditional-binomial';

/** Odds ratios of the treatment's share, below and above 1 (equal weights). Changing it invalidates stored states. */
export const SRM_RATIOS: readonly number[] = [1 / 2, 2 / 3, 4 / 5, 9 / 10, 10 / 9, 5 / 4, 3 / 2, 2];

export interface SamplePeriod {
  treatmentRequests: number;
  baselineRequests: number;
  /** The share of traffic the rollout sends to the treatment in this period, in [0, 1]. */
  expectedShare: number;
}

export interface SampleRatioState {
  /** Σ over periods of log LR(SRM_RATIOS[k]). */
  logLR: number[];
  periods: number;
  /** Periods with counts that are not bounded non-negative integers or a share outside [0, 1]: no information. */
  rejected: number;
  treatmentRequests: number;
  baselineRequests: number;
  /** Σ π·n over accepted periods: how many treatment requests were expected, for people. */
  expectedTreatment: number;
}

export function initialSampleRatio(): SampleRatioState {
  return { logLR: SRM_RATIOS.map(() => 0), periods: 0, rejected: 0, treatmentRequests: 0, baselineRequests: 0, expectedTreatment: 0 };
}

export function isValidSamplePeriod(p: SamplePeriod): boolean {
  return isCount(p.treatmentRequests) && isCount(p.baselineRequests) && typeof p.expectedShare === 'number' && p.expectedShare >= 0 && p.expectedShare <= 1;
}

/** The state after one more period (a new object); an invalid period is counted in `rejected` and otherwise ignored. */
export function advanceSampleRatio(state: SampleRatioState, p: SamplePeriod): SampleRatioState {
  if (!isValidSamplePeriod(p)) return { ...state, logLR: [...state.logLR], periods: state.periods + 1, rejected: state.rejected + 1 };
  const n = p.treatmentRequests + p.baselineRequests;
  return {
    logLR: SRM_RATIOS.map((r, k) => (state.logLR[k] ?? 0) + periodLogLR(r, p.treatmentRequests, n, p.expectedShare)),
    periods: state.periods + 1,
    rejected: state.rejected,
    treatmentRequests: state.treatmentRequests + p.treatmentRequests,
    baselineRequests: state.baselineRequests + p.baselineRequests,
    expectedTreatment: state.expectedTreatment + p.expectedShare * n,
  };
}

export function sampleRatioLogEvidence(state: SampleRatioState): number {
  return logMeanExp(state.logLR);
}

export function sampleRatioEvidence(state: SampleRatioState): number {
  return evidenceOf(sampleRatioLogEvidence(state));
}

/** True once the evidence has reached 1/α: the reported share is off the rollout's, at level α. */
export function sampleRatioMismatch(state: SampleRatioState, alpha: number): boolean {
  return sampleRatioLogEvidence(state) >= logThreshold(alpha);
}
