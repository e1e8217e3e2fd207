/**
 * Advancing the sequential guards (errors, P95, P99 against the baseline; the sample ratio) by
 * the minutes that completed since the last tick. Each minute is a period of the tests in
 * sequential/: it is fixed before its data is seen (a clock minute), and so are the thresholds it
 * is judged against (the baseline's P95 and P99 from the minutes before it), which is what keeps
 * the tests valid at every look.
 *
 * Reports arrive late (an app flushes every few seconds, retries after a failure), so a minute is
 * fed at the first tick after it ends and, for LATE_MINUTES more minutes, whatever arrives for it
 * later is fed as one more period: the requests in it are new requests, judged against the same
 * thresholds. Reports later than that reach the display and the absolute limits, not these tests.
 */
import { countAbove, quantileBin, sketchCount } from '../metrics/sketch';
import type { MinuteBucket } from '../metrics/window-stats';
import { countOf } from '../metrics/window-stats';
import { MINUTE_MS } from '../metrics/minutes';
import type { CohortCounts, ConsumedMinute, GuardState, LatencyReference } from '../schema/guards';
import { failingRelativeGuard } from './evidence';
import { advanceRelative, initialRelativeGuard, RELATIVE_RATIOS, type RelativeGuardState } from './sequential/relative-guard';
import { advanceSampleRatio, initialSampleRatio } from './sequential/sample-ratio';

/** Minutes kept after they are fed, so that their late reports are fed too. */
export const LATE_MINUTES = 3;
/** Minutes after a change of percent that the sample-ratio test skips: edges and clients take up to a minute to follow. */
export const SHARE_SETTLE_MS = 2 * MINUTE_MS;
/** Latency values a baseline minute needs before its P95 and P99 become the next minute's thresholds. */
export const MIN_REFERENCE_VALUES = 100;

/** One complete minute of both cohorts; a cohort without reports in it is null. */
export interface MinutePair {
  minute: number;
  treatment: MinuteBucket | null;
  baseline: MinuteBucket | null;
}

/**
 * The relative guards restart at every promotion, so that a regression which shows only at a later
 * stage (it needs load, or users the first stages did not have) is found as fast as one present
 * from the start: evidence against it from days of healthy stages does not bury it. Each
 * component's sum is a mixture over its starts, R = Σ_j w_j·Π_{periods since start j} LR, kept in
 * one number per ratio by R ← LR·(R + w) at a start: the rollout's start weighs START_WEIGHT, each
 * promotion restartWeight(stages). The weights add up to at most 1 (a plan of S stages has at most
 * S − 1 promotions, its percent only climbs), so R plus the weights still to come is a nonnegative
 * supermartingale from at most 1 and Ville's inequality still bounds a false rollback by α.
 * The price: log(1/0.9) ≈ 0.1 more evidence from the start (the power at the first stage barely
 * moves), log(10·(S − 1)) from a promotion (≈ 3.9 for the safe strategy's 6 stages), which the
 * higher stages' traffic pays within minutes; without restarts three healthy days at 5, 10 and
 * 25 % delay a 2× regression at 50 % from 1 minute to over 4 hours.
 */
export const START_WEIGHT = 0.9;

/** The weight of one restart at a promotion in a plan of `stages` stages. */
export function restartWeight(stages: number): number {
  return (1 - START_WEIGHT) / Math.max(1, stages - 1);
}

/** A relative guard's components with a start of weight `w` added: log(e^l + w) for each. */
function restarted(g: RelativeGuardState, w: number): RelativeGuardState {
  const lw = Math.log(w);
  return { ...g, logLR: g.logLR.map((l) => Math.max(l, lw) + Math.log1p(Math.exp(-Math.abs(l - lw)))) };
}

/** The state of a rollout that starts serving `percent` at `now`. */
export function initialGuards(percent: number, now: number): GuardState {
  const start = (): RelativeGuardState => ({ ...initialRelativeGuard(), logLR: RELATIVE_RATIOS.map(() => Math.log(START_WEIGHT)) });
  return {
    through: null,
    errors: start(),
    p95: start(),
    p99: start(),
    sampleRatio: initialSampleRatio(),
    reference: { p95Bin: null, p99Bin: null },
    recent: [],
    share: { percent, since: Math.max(0, Math.floor(now)) },
  };
}

/**
 * Records that the rollout serves `percent` from `now` on (a promotion, a rollback); unchanged when
 * it already does. A promotion (a higher percent) restarts the relative guards with weight `restart`
 * (restartWeight of the plan; 0: no restart).
 */
export function trackShare(state: GuardState, percent: number, now: number, restart = 0): GuardState {
  if (state.share.percent === percent) return state;
  const next = { ...state, share: { percent, since: Math.max(0, Math.floor(now)) } };
  if (!(restart > 0 && percent > state.share.percent)) return next;
  return { ...next, errors: restarted(state.errors, restart), p95: restarted(state.p95, restart), p99: restarted(state.p99, restart) };
}

/** A cohort's counts in one minute against `reference` (no latency thresholds: nothing is slow). */
export function cohortCounts(bucket: MinuteBucket | null, reference: LatencyReference): CohortCounts {
  if (!bucket) return { requests: 0, errors: 0, timed: 0, overP95: 0, overP99: 0 };
  const requests = countOf(bucket.count);
  return {
    requests,
    // A stored bucket may predate the errors ≤ count rule; the tests refuse such a period anyway.
    errors: Math.min(countOf(bucket.errors), requests),
    timed: sketchCount(bucket),
    overP95: reference.p95Bin === null ? 0 : countAbove(bucket.bins, reference.p95Bin),
    overP99: reference.p99Bin === null ? 0 : countAbove(bucket.bins, reference.p99Bin),
  };
}

/** The baseline's P95 and P99 bins in this minute, or the previous ones when it has too few latency values to say. */
function nextReference(baseline: MinuteBucket | null, previous: LatencyReference): LatencyReference {
  if (!baseline || sketchCount(baseline) < MIN_REFERENCE_VALUES) return previous;
  return { p95Bin: quantileBin(baseline.bins, 0.95), p99Bin: quantileBin(baseline.bins, 0.99) };
}

/** Feeds one period (a minute's counts, or what arrived for it late) to every guard it informs. */
function feed(state: GuardState, t: CohortCounts, b: CohortCounts, m: Pick<ConsumedMinute, 'reference' | 'srm' | 'expectedShare'>): GuardState {
  const next = { ...state };
  next.errors = advanceRelative(state.errors, {
    treatmentRequests: t.requests,
    treatmentEvents: t.errors,
    baselineRequests: b.requests,
    baselineEvents: b.errors,
  });
  if (m.reference.p95Bin !== null)
    next.p95 = advanceRelative(state.p95, { treatmentRequests: t.timed, treatmentEvents: t.overP95, baselineRequests: b.timed, baselineEvents: b.overP95 });
  if (m.reference.p99Bin !== null)
    next.p99 = advanceRelative(state.p99, { treatmentRequests: t.timed, treatmentEvents: t.overP99, baselineRequests: b.timed, baselineEvents: b.overP99 });
  if (m.srm)
    next.sampleRatio = advanceSampleRatio(state.sampleRatio, { treatmentRequests: t.requests, baselineRequests: b.requests, expectedShare: m.expectedShare });
  return next;
}

const FIELDS = ['requests', 'errors', 'timed', 'overP95', 'overP99'] as const;

/** What arrived since `before` was counted, or null when nothing did (or counts shrank: pruned or damaged rows are not news). */
function increase(now: CohortCounts, before: CohortCounts): CohortCounts | null {
  const d = { requests: 0, errors: 0, timed: 0, overP95: 0, overP99: 0 };
  let any = false;
  for (const f of FIELDS) {
    const v = now[f] - before[f];
    if (v < 0) return null;
    d[f] = v;
    if (v > 0) any = true;
  }
  return any ? d : null;
}

/**
 * The state after the complete minutes in `pairs` (oldest first, each minute once): new minutes
 * are fed whole; minutes fed in the last LATE_MINUTES get what arrived since. `hasBaseline` says
 * whether a baseline cohort exists to compare the share with (without one, or when the share is not
 * expected to follow the percent, the sample ratio is not judged).
 * With `alpha`, feeding stops once a guard that rolls back has its evidence: each test stops at its
 * first crossing, so minutes after it (a tick catching up hours of them) must not bring it back under.
 * Pure; the same pairs twice change nothing the second time.
 */
export function advanceGuards(state: GuardState, pairs: readonly MinutePair[], hasBaseline: boolean, alpha?: number): GuardState {
  let s = state;
  for (const pair of pairs) {
    if (alpha !== undefined && failingRelativeGuard(s, alpha) !== null) break;
    if (s.through !== null && pair.minute <= s.through) {
      s = feedLate(s, pair);
      continue;
    }
    const share = s.share.percent / 100;
    const consumed: ConsumedMinute = {
      minute: pair.minute,
      reference: s.reference,
      srm: hasBaseline && share > 0 && share < 1 && pair.minute >= s.share.since + SHARE_SETTLE_MS,
      expectedShare: share,
      treatment: cohortCounts(pair.treatment, s.reference),
      baseline: cohortCounts(pair.baseline, s.reference),
    };
    s = feed(s, consumed.treatment, consumed.baseline, consumed);
    s = {
      ...s,
      through: pair.minute,
      reference: nextReference(pair.baseline, s.reference),
      recent: [...s.recent, consumed].slice(-LATE_MINUTES),
    };
  }
  return s;
}

function feedLate(s: GuardState, pair: MinutePair): GuardState {
  const at = s.recent.findIndex((r) => r.minute === pair.minute);
  if (at < 0) return s;
  const was = s.recent[at]!;
  const treatment = cohortCounts(pair.treatment, was.reference);
  const baseline = cohortCounts(pair.baseline, was.reference);
  const dt = increase(treatment, was.treatment);
  const db = increase(baseline, was.baseline);
  if (!dt && !db) return s;
  const zero = { requests: 0, errors: 0, timed: 0, overP95: 0, overP99: 0 };
  const fed = feed(s, dt ?? zero, db ?? zero, was);
  const recent = [...s.recent];
  recent[at] = { ...was, treatment: dt ? treatment : was.treatment, baseline: db ? baseline : was.baseline };
  return { ...fed, recent };
}
