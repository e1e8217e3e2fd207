import { describe, expect, it } from 'vitest';
import { zHealthThresholds } from '../schema/rollout';
import { describeBakeBreach, describeTrigger, iso } from './format';

const health = zHealthThresholds.parse({});

describe('format', () => {
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
