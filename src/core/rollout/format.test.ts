import { describe, expect, it } from 'vitest';
import { zHealthThresholds } from '../schema/rollout';
import { describeBakeBreach, describeTrigger, formatRate, iso, readable } from './format';

const health = zHealthThresholds.parse({});

describe('format', () => {
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

  it('instants are ISO 8601 UTC', () => {
    expect(iso(Date.UTC(2026, 0, 6, 9))).toBe('2026-01-06T09:00:00.000Z');
  });

  it('each trigger names its number and its limit', () => {
    expect(describeTrigger('error_rate', { errorRate: 0.023 }, health)).toBe('error_rate 2.3% > 1%');
    expect(describeTrigger('p95', { p95Ms: 812.4 }, health)).toBe('p95 812 ms > 500 ms');
    expect(describeTrigger('p99', { p99Ms: 1500 }, health)).toBe('p99 1500 ms > 1000 ms');
    expect(describeTrigger('probes', { probeFailures: 6 }, health)).toBe('probes 6 failed ≥ 5');
    expect(describeTrigger('error_rate', {}, health)).toBe('error_rate > 1%');
  });

  it('a bake breach is measured against the bake criteria', () => {
    expect(describeBakeBreach('error_rate', { errorRate: 0.002 }, health)).toBe('error_rate 0.2% ≥ 0.1%');
    expect(describeBakeBreach('p95', { p95Ms: 250 }, health)).toBe('p95 250 ms ≥ 200 ms');
    expect(describeBakeBreach('p99', { p99Ms: 1200 }, health)).toBe('p99 1200 ms > 1000 ms');
  });
});
