/**
 * The relative guard: an anytime-valid one-sided test that the treatment's event rate (errors,
 * or requests slower than a limit) is higher than the baseline's, fed one period (minute) at a time.
 *
 * Test. Given a period's exposures nT, nB and its total events x = xT + xB, under H0 (equal
 * rates) xT ~ Binomial(x, θ0) with θ0 = nT / (nT + nB); under a rate ratio r, the treatment's
 * share of events is θ(r) = r·nT / (r·nT + nB). The evidence is the mixture likelihood ratio
 *   Λ_t = Σ_k w_k Π_{periods ≤ t} LR_period(r_k)
 * over the fixed grid RELATIVE_RATIOS with equal weights w_k = 1/K.
 *
 * Why it is valid at every look. Each period's LR(r) has conditional expectation ≤ 1 under H0
 * given everything before it and the period's (nT, nB, x), so each product, and their mixture,
 * is a nonnegative supermartingale with Λ_0 = 1, and Ville's inequality gives
 *   P(sup_t Λ_t ≥ 1/α) ≤ α:
 * checking every minute for as long as the rollout runs, and stopping at the first crossing,
 * rolls back a treatment no worse than its baseline with probability at most α. Assumptions:
 * - events arrive as Poisson processes in each cohort, or (the real case) each request errs
 *   independently with its cohort's chance: then xT given x is hypergeometric, not binomial, and
 *   since LR(r) = c·r^xT is convex in xT, Hoeffding (1963) gives E[LR] ≤ its binomial value, 1;
 * - H0 is composite, "treatment rate ≤ baseline rate": a lower treatment rate makes xT
 *   stochastically smaller, and r^xT with r > 1 is increasing, so E[LR] ≤ 1 there too;
 * - periods (minute boundaries) are fixed before their data is seen, each period is fed once,
 *   and requests in one period are independent of the coin flips of earlier ones given the rates.
 * Overdispersion (errors in bursts, one user failing many times) breaks the independence and
 * makes the test anti-conservative; the simulation suite measures the rate under the model.
 *
 * Grid. Ratios 1.25, 1.5, 2, 3, 5, 10 with equal weights: a component near the true ratio
 * dominates, so power at a ratio r is close to the single-ratio SPRT at the nearest grid point,
 * paying log 6 ≈ 1.8 nats for not knowing r. The grid starts at 1.25 because smaller regressions
 * need far more events than a stage has, and stops at 10 because above it 10 is already decisive.
 *
 * The state is plain JSON of finite numbers (per-component log-LR sums and running counts) so
 * that it can be stored in a rollout row and advanced once per complete minute.
 */
import { evidenceOf, isCount, logMeanExp, logThreshold, periodLogLR } from './conditional-binomial';

/** The rate ratios the mixture puts its weight on (equal weights). Changing it invalidates stored states. */
export const RELATIVE_RATIOS: readonly number[] = [1.25, 1.5, 2, 3, 5, 10];

/** One period's counts of both cohorts. */
export interface RelativePeriod {
  treatmentRequests: number;
  treatmentEvents: number;
  baselineRequests: number;
  baselineEvents: number;
}

export interface RelativeGuardState {
  /** Σ over periods of log LR(RELATIVE_RATIOS[k]), one per ratio. */
  logLR: number[];
  /** Periods fed, including those that carried no information or were rejected. */
  periods: number;
  /** Periods whose counts were not finite non-negative integers with events ≤ requests: they count as no information. */
  rejected: number;
  /** The counts of the accepted periods, summed, for people. */
  totals: RelativePeriod;
}

export function initialRelativeGuard(): RelativeGuardState {
  return {
    logLR: RELATIVE_RATIOS.map(() => 0),
    periods: 0,
    rejected: 0,
    totals: { treatmentRequests: 0, treatmentEvents: 0, baselineRequests: 0, baselineEvents: 0 },
  };
}

/** True when the period's counts can be believed: bounded integers, no cohort with more events than requests. */
export function isValidRelativePeriod(p: RelativePeriod): boolean {
  return (
    isCount(p.treatmentRequests) &&
    isCount(p.treatmentEvents) &&
    isCount(p.baselineRequests) &&
    isCount(p.baselineEvents) &&
    p.treatmentEvents <= p.treatmentRequests &&
    p.baselineEvents <= p.baselineRequests
  );
}

/**
 * The state after one more period; a new object, the input is not changed. A period without
 * exposure in either cohort or without events carries no information (LR = 1); an invalid one is
 * counted in `rejected` and otherwise ignored, so no input can make the state NaN or infinite.
 */
export function advanceRelative(state: RelativeGuardState, p: RelativePeriod): RelativeGuardState {
  if (!isValidRelativePeriod(p)) return { ...state, logLR: [...state.logLR], periods: state.periods + 1, rejected: state.rejected + 1 };
  const exposure = p.treatmentRequests + p.baselineRequests;
  const share = exposure > 0 ? p.treatmentRequests / exposure : 0;
  const events = p.treatmentEvents + p.baselineEvents;
  const t = state.totals;
  return {
    logLR: RELATIVE_RATIOS.map((r, k) => (state.logLR[k] ?? 0) + periodLogLR(r, p.treatmentEvents, events, share)),
    periods: state.periods + 1,
    rejected: state.rejected,
    totals: {
      treatmentRequests: t.treatmentRequests + p.treatmentRequests,
      treatmentEvents: t.treatmentEvents + p.treatmentEvents,
      baselineRequests: t.baselineRequests + p.baselineRequests,
      baselineEvents: t.baselineEvents + p.baselineEvents,
    },
  };
}

/** log Λ: the log of the mixture likelihood ratio so far (0 before any information). */
export function relativeLogEvidence(state: RelativeGuardState): number {
  return logMeanExp(state.logLR);
}

/** Λ, capped below Infinity. */
export function relativeEvidence(state: RelativeGuardState): number {
  return evidenceOf(relativeLogEvidence(state));
}

/** True once the evidence has reached 1/α: the treatment's rate is higher than the baseline's, at level α. */
export function relativeGuardFails(state: RelativeGuardState, alpha: number): boolean {
  return relativeLogEvidence(state) >= logThreshold(alpha);
}
