import { describe, expect, it } from 'vitest';
import { formatMs, formatRate, grouped, readable } from './numbers';

describe('numbers for people', () => {
  it('numbers read without float noise or needless digits', () => {
    expect(readable(2.3000000000000003)).toBe('2.3');
    expect(readable(1)).toBe('1');
    expect(readable(2.34567)).toBe('2.35');
    expect(readable(0.0123)).toBe('0.0123');
    expect(readable(812.46)).toBe('812');
    expect(readable(1234.5)).toBe('1235');
    expect(formatRate(0.023)).toBe('2.3%');
    expect(formatRate(0.001)).toBe('0.1%');
  });

  it('groups thousands the same in every locale and keeps milliseconds readable', () => {
    expect(grouped(59300)).toBe('59,300');
    expect(grouped(1234567.6)).toBe('1,234,568');
    expect(grouped(999)).toBe('999');
    expect(grouped(-1234)).toBe('-1,234');
    expect(formatMs(2.3456)).toBe('2.35 ms');
    expect(formatMs(180.4)).toBe('180 ms');
  });
});
