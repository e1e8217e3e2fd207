import { describe, expect, it } from 'vitest';
import { DELIVERY_GIVE_UP_MS, givesUp, MAX_DELIVERY_ATTEMPTS, retryDelayMs } from './retry';

describe('retry policy', () => {
  it('backs off exponentially (×4 from 2 s) up to an hour', () => {
    expect([1, 2, 3, 4, 5, 6, 7, 8].map(retryDelayMs)).toEqual([2000, 8000, 32_000, 128_000, 512_000, 2_048_000, 3_600_000, 3_600_000]);
  });

  it('gives up after the 8th attempt, or after two hours of retrying', () => {
    const t0 = 1_000_000;
    expect(MAX_DELIVERY_ATTEMPTS).toBe(8);
    expect(givesUp(7, t0, t0 + 60_000)).toBe(false);
    expect(givesUp(8, t0, t0 + 60_000)).toBe(true);
    expect(givesUp(1, t0, t0 + DELIVERY_GIVE_UP_MS - 1)).toBe(false);
    expect(givesUp(1, t0, t0 + DELIVERY_GIVE_UP_MS)).toBe(true);
  });

  it('the schedule of 8 attempts ends within the two hours', () => {
    const total = [1, 2, 3, 4, 5, 6, 7].map(retryDelayMs).reduce((a, b) => a + b, 0);
    expect(total).toBeLessThan(DELIVERY_GIVE_UP_MS);
  });
});
