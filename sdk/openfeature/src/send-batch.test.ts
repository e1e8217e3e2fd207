import { describe, expect, it } from 'vitest';
import { backoffMs, parseRetryAfter } from './send-batch';

describe('parseRetryAfter', () => {
  const now = Date.UTC(2026, 10, 28, 12, 0, 0);
  it('reads delta-seconds and HTTP dates, bounded to 10 minutes, and nothing else', () => {
    expect(parseRetryAfter('10', now)).toBe(10_000);
    expect(parseRetryAfter(' 0 ', now)).toBe(0);
    expect(parseRetryAfter(new Date(now + 30_000).toUTCString(), now)).toBe(30_000);
    expect(parseRetryAfter(new Date(now - 30_000).toUTCString(), now)).toBe(0);
    expect(parseRetryAfter('99999999', now)).toBe(600_000);
    expect(parseRetryAfter('-5', now)).toBeNull();
    expect(parseRetryAfter('soon', now)).toBeNull();
    expect(parseRetryAfter(null, now)).toBeNull();
  });
});

describe('backoffMs', () => {
  it('doubles from the base up to the ceiling; the jitter keeps it within [ceiling/2, ceiling]', () => {
    expect([1, 2, 3, 4, 5, 6, 40].map((a) => backoffMs(a, 1000, 20_000, 1))).toEqual([1000, 2000, 4000, 8000, 16_000, 20_000, 20_000]);
    expect(backoffMs(3, 1000, 20_000, 0)).toBe(2000);
    expect(backoffMs(3, 1000, 20_000, 7)).toBe(4000);
  });
});
