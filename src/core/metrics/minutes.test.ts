import { describe, expect, it } from 'vitest';
import { MINUTE_MS, lastCompleteMinutes, minuteStart } from './minutes';
import type { MinuteBucket } from './window-stats';

const T = 1_700_000_000_000 - (1_700_000_000_000 % MINUTE_MS); // a minute boundary
const b = (minute: number, count: number, bins: Record<string, number> = {}): MinuteBucket => ({ minute, count, errors: 0, bins });

describe('minuteStart', () => {
  it('floors to the minute', () => {
    expect(minuteStart(T)).toBe(T);
    expect(minuteStart(T + 59_999)).toBe(T);
    expect(minuteStart(T + 60_000)).toBe(T + MINUTE_MS);
  });
});

describe('lastCompleteMinutes', () => {
  it('returns the n minutes before the current one, oldest first, gaps as empty buckets', () => {
    const now = T + 5 * MINUTE_MS + 30_000; // the minute T+5 is still filling up
    const out = lastCompleteMinutes([b(T + MINUTE_MS, 7), b(T + 3 * MINUTE_MS, 9), b(T + 5 * MINUTE_MS, 100)], now, 5);
    expect(out.map((m) => m.minute)).toEqual([0, 1, 2, 3, 4].map((k) => T + k * MINUTE_MS));
    expect(out.map((m) => m.count)).toEqual([0, 7, 0, 9, 0]);
  });

  it('drops buckets before the window and merges buckets of the same minute', () => {
    const now = T + 3 * MINUTE_MS;
    const out = lastCompleteMinutes([b(T - MINUTE_MS, 50), b(T + MINUTE_MS, 2, { '5': 1 }), b(T + MINUTE_MS + 10, 3, { '5': 2, '8': 1 })], now, 3);
    expect(out).toEqual([b(T, 0), b(T + MINUTE_MS, 5, { '5': 3, '8': 1 }), b(T + 2 * MINUTE_MS, 0)]);
  });

  it('leaves the input buckets alone', () => {
    const input = [b(T, 2, { '5': 1 })];
    lastCompleteMinutes([...input, b(T, 1, { '5': 1 })], T + MINUTE_MS, 1);
    expect(input).toEqual([b(T, 2, { '5': 1 })]);
  });
});
