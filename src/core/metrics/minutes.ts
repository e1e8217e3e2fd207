import { mergeInto } from './sketch';
import { countOf, type MinuteBucket } from './window-stats';

export const MINUTE_MS = 60_000;
export const SECOND_MS = 1000;

/** The start of the second holding `ms`: recent reports are also kept in 1-second slots. */
export function secondStart(ms: number): number {
  return Math.floor(ms / SECOND_MS) * SECOND_MS;
}

/** The first whole second at or after `ms`. */
export function secondCeil(ms: number): number {
  return Math.ceil(ms / SECOND_MS) * SECOND_MS;
}

/** The start of the minute holding `ms`. */
export function minuteStart(ms: number): number {
  return Math.floor(ms / MINUTE_MS) * MINUTE_MS;
}

/**
 * The `n` complete minutes before the minute holding `now`, oldest first, one bucket each.
 * A minute without data becomes an empty bucket rather than vanishing, so "the last n minutes"
 * never silently stretches over a gap; buckets of the same minute are merged.
 */
export function lastCompleteMinutes(buckets: readonly MinuteBucket[], now: number, n: number): MinuteBucket[] {
  const end = minuteStart(now); // the current minute is still filling up, so it is left out
  const first = end - n * MINUTE_MS;
  const out: MinuteBucket[] = [];
  for (let k = 0; k < n; k++) out.push({ minute: first + k * MINUTE_MS, count: 0, errors: 0, bins: {} });
  for (const b of buckets) {
    const m = minuteStart(b.minute);
    if (!(m >= first && m < end)) continue; // also skips a NaN minute
    const slot = out[(m - first) / MINUTE_MS]!;
    slot.count += countOf(b.count);
    slot.errors += countOf(b.errors);
    mergeInto(slot.bins, b.bins);
  }
  return out;
}

export const HOUR_MS = 3_600_000;

/** The start of the hour holding `ms`: hourly roll-ups start there. */
export function hourStart(ms: number): number {
  return Math.floor(ms / HOUR_MS) * HOUR_MS;
}
