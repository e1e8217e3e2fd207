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
import { advanceRelative, initialRelativeGuard } from './sequential/relative-guard';
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

/** The state of a rollout that starts serving `percent` at `now`. */
export function initialGuards(percent: number, now: number): GuardState {
  return {
    through: null,
    errors: initialRelativeGuard(),
    p95: initialRelativeGuard(),
    p99: initialRelativeGuard(),
    sampleRatio: initialSampleRatio(),
    reference: { p95Bin: null, p99Bin: null },
    recent: [],
    share: { percent, since: Math.max(0, Math.floor(now)) },
  };
}

/** Records that the rollout serves `percent` from `now` on (a promotion, a rollback); unchanged when it already does. */
export function trackShare(state: GuardState, percent: number, now: number): GuardState {
  return state.share.percent === percent ? state : { ...state, share: { percent, since: Math.max(0, Math.floor(now)) } };
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
 * whether a baseline cohort exists to compare with (without one, the sample ratio cannot be judged).
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
