import { describe, expect, it } from 'vitest';
import type { HealthThresholds } from '../schema/rollout';
import { statsOf, type WindowStats } from '../metrics/window-stats';
import { healthVerdict } from './policy';
import { bucket, erroring, fine, five, signals, slowP95, slowP99, T } from '../../../test/helpers/health-minutes';

describe('healthVerdict: sustained breaches', () => {
  it('rolls back when the error rate breaches in each of the last five minutes', () => {
    const buckets = five((k) => erroring(k));
    const { window } = healthVerdict(signals(buckets), T);
    expect(window.kind).toBe('breached');
    expect(window).toMatchObject({ trigger: 'error_rate', numbers: { samples: 1000, errorRate: 0.03, probeFailures: 0 } });
  });

  it('does not roll back on four breaching minutes and a healthy latest one; holds while the aggregate exceeds', () => {
    const buckets = [0, 1, 2, 3].map((k) => erroring(k)).concat(fine(4));
    const { window } = healthVerdict(signals(buckets), T);
    expect(window).toMatchObject({ kind: 'degraded', trigger: 'error_rate' });
  });

  it('does not roll back on a healthy oldest minute and four breaching ones either', () => {
    const buckets = [fine(0), ...[1, 2, 3, 4].map((k) => erroring(k))];
    expect(healthVerdict(signals(buckets), T).window).toMatchObject({ kind: 'degraded', trigger: 'error_rate' });
  });

  it('holds (degraded) when well-sampled minutes breach even though the aggregate stays under the limits', () => {
    // Four small erroring minutes and one big clean one: 4·6 errors in 4·200 + 5000 reports ≈ 0.4 %.
    const buckets = [0, 1, 2, 3].map((k) => erroring(k)).concat(fine(4, 5000));
    expect(healthVerdict(signals(buckets), T).window).toMatchObject({ kind: 'degraded', trigger: 'error_rate' });
  });

  it('needs four breaching minutes plus one more: only the fifth makes it sustained', () => {
    const spike = [0, 1, 2, 3, 4, 5, 6, 7].map((k) => (k < 3 ? fine(k) : erroring(k)));
    const at = (end: number) => healthVerdict(signals(spike.slice(end - 5, end)), T).window.kind;
    expect(at(7)).toBe('degraded'); // minutes 2..6: four breaching
    expect(at(8)).toBe('breached'); // minutes 3..7: five breaching
  });

  it('lets a breaching minute under minSamples break the streak', () => {
    const tenth = (k: number, count: number) => bucket(k, count, Math.round(count / 10), [[100, count]]); // 10 % errors
    const buckets = five((k) => (k === 2 ? bucket(k, 99, 10, [[100, 99]]) : tenth(k, 200)));
    expect(healthVerdict(signals(buckets), T).window).toMatchObject({ kind: 'degraded', trigger: 'error_rate' });
    const enough = five((k) => tenth(k, k === 2 ? 100 : 200));
    expect(healthVerdict(signals(enough), T).window).toMatchObject({ kind: 'breached', trigger: 'error_rate' });
  });

  it('lets a minute without data break the streak, listed or missing', () => {
    const empty = bucket(2, 0, 0, []);
    const withEmpty = [erroring(0), erroring(1), empty, erroring(3), erroring(4)];
    expect(healthVerdict(signals(withEmpty), T).window.kind).toBe('degraded');
    // Five breaching minutes that are not consecutive (minute 2 left out of the list) are not five minutes.
    const gapped = [erroring(-1), erroring(0), erroring(1), erroring(3), erroring(4)];
    expect(healthVerdict(signals(gapped), T).window.kind).toBe('degraded');
  });

  it('cannot be sustained with fewer minutes than required', () => {
    const buckets = [0, 1, 2, 3].map((k) => erroring(k));
    expect(healthVerdict(signals(buckets), T).window.kind).toBe('degraded');
  });

  it('judges only the last sustainedMinutes minutes when given more', () => {
    const buckets = [fine(0), ...[1, 2, 3, 4, 5].map((k) => erroring(k))];
    expect(healthVerdict(signals(buckets), T).window).toMatchObject({ kind: 'breached', trigger: 'error_rate' });
  });

  it('rolls back on P95 alone', () => {
    const buckets = five(slowP95);
    const { window } = healthVerdict(signals(buckets), T);
    expect(window).toMatchObject({ kind: 'breached', trigger: 'p95' });
    if (window.kind !== 'breached') throw new Error('unreachable');
    expect(window.numbers.errorRate).toBe(0);
    expect(window.numbers.p95Ms).toBeGreaterThan(500);
    expect(window.numbers.p99Ms).toBeLessThan(1000);
  });

  it('rolls back on P99 alone', () => {
    const { window } = healthVerdict(signals(five(slowP99)), T);
    expect(window).toMatchObject({ kind: 'breached', trigger: 'p99' });
    if (window.kind !== 'breached') throw new Error('unreachable');
    expect(window.numbers.p95Ms).toBeLessThan(500);
    expect(window.numbers.p99Ms).toBeGreaterThan(1000);
  });

  it('needs one trigger in every minute: alternating error and P95 minutes are not sustained', () => {
    const buckets = five((k) => (k % 2 === 0 ? erroring(k) : slowP95(k)));
    expect(healthVerdict(signals(buckets), T).window.kind).toBe('degraded');
  });

  it('names error_rate before p95 before p99 when several are sustained', () => {
    const all = five((k) =>
      bucket(k, 200, 10, [
        [100, 180],
        [1500, 20],
      ]),
    ); // 5 %, P95 and P99 ≈ 1500
    expect(healthVerdict(signals(all), T).window).toMatchObject({ kind: 'breached', trigger: 'error_rate' });
    const latency = five((k) =>
      bucket(k, 200, 0, [
        [100, 180],
        [1500, 20],
      ]),
    );
    expect(healthVerdict(signals(latency), T).window).toMatchObject({ kind: 'breached', trigger: 'p95' });
  });

  it('counts a minute as breaching only when the limit is exceeded with confidence, not when a noisy estimate crosses it', () => {
    // 2 errors in 100 (2 %) could well come from a 1 % rate; 600 in 20,000 (3 %) could not.
    const noisy = five((k) => bucket(k, 100, 2, [[100, 100]]));
    expect(healthVerdict(signals(noisy), T).window.kind).toBe('healthy');
    const sure = five((k) => bucket(k, 20_000, 600, [[100, 20_000]]));
    expect(healthVerdict(signals(sure), T).window).toMatchObject({ kind: 'breached', trigger: 'error_rate' });
    // The same for latency: 6 % of values above 500 ms in 100 is not sure evidence that over 5 % are.
    const slowish = five((k) =>
      bucket(k, 100, 0, [
        [100, 94],
        [700, 6],
      ]),
    );
    expect(healthVerdict(signals(slowish), T).window.kind).toBe('healthy');
  });

  it('follows per-rollout thresholds', () => {
    const strict: HealthThresholds = { ...T, sustainedMinutes: 2, minSamples: 10, maxErrorRate: 0.02 };
    const tenPercent = (k: number) => bucket(k, 400, 40, [[100, 400]]);
    expect(healthVerdict(signals([tenPercent(0), tenPercent(1)]), strict).window.kind).toBe('breached');
    expect(healthVerdict(signals([tenPercent(0), tenPercent(1)]), { ...strict, maxErrorRate: 0.15 }).window.kind).toBe('healthy');
  });
});

describe('healthVerdict: probes', () => {
  it('rolls back at maxProbeFailures consecutive failures, whatever the metrics say', () => {
    expect(
      healthVerdict(
        signals(
          five((k) => fine(k)),
          { probeFailures: 5 },
        ),
        T,
      ).window,
    ).toMatchObject({
      kind: 'breached',
      trigger: 'probes',
      numbers: { probeFailures: 5 },
    });
    expect(healthVerdict(signals([], { probeFailures: 7 }), T).window).toMatchObject({ kind: 'breached', trigger: 'probes' });
  });

  it('does not at one failure fewer', () => {
    expect(
      healthVerdict(
        signals(
          five((k) => fine(k)),
          { probeFailures: 4 },
        ),
        T,
      ).window,
    ).toMatchObject({ kind: 'healthy', numbers: { probeFailures: 4 } });
  });
});

describe('healthVerdict: insufficient data', () => {
  it('never passes without enough samples in the window', () => {
    const few = [bucket(3, 5, 0, [[80, 5]]), bucket(4, 7, 0, [[90, 7]])];
    expect(healthVerdict(signals(few), T).window).toMatchObject({ kind: 'insufficient-data', samples: 12, required: 100 });
    expect(healthVerdict(signals([]), T).window).toMatchObject({ kind: 'insufficient-data', samples: 0, required: 100 });
  });

  it('judges a window of enough samples even when no single minute has enough', () => {
    const thin = five((k) => bucket(k, 30, 3, [[100, 30]])); // 10 % errors, 30 reports a minute
    expect(healthVerdict(signals(thin), T).window).toMatchObject({ kind: 'degraded', trigger: 'error_rate', numbers: { samples: 150 } });
  });
});

describe('healthVerdict: numbers', () => {
  it('records the window, the probes and the baseline beside them, leaving out unknowns', () => {
    const buckets = five((k) => fine(k));
    const baseline: WindowStats = { samples: 800, errors: 0, errorRate: 0, p95Ms: null, p99Ms: null };
    const { window } = healthVerdict(signals(buckets, { baseline, probeFailures: 2 }), T);
    const stats = statsOf(buckets);
    expect(window).toEqual({
      kind: 'healthy',
      numbers: { samples: 1000, errorRate: 0, p95Ms: stats.p95Ms, p99Ms: stats.p99Ms, probeFailures: 2, baseline: { samples: 800, errorRate: 0 } },
    });
  });
});

describe('healthVerdict: bake', () => {
  const bake = (b: Partial<WindowStats>): WindowStats => ({ samples: 50_000, errors: 5, errorRate: 0.0001, p95Ms: 120, p99Ms: 300, ...b });
  const verdictOf = (b: WindowStats) =>
    healthVerdict(
      signals(
        five((k) => fine(k)),
        { bake: b },
      ),
      T,
    ).bake;

  it('is absent unless baking', () => {
    expect(healthVerdict(signals(five((k) => fine(k))), T)).not.toHaveProperty('bake');
  });

  it('passes strictly below the success criteria', () => {
    expect(verdictOf(bake({}))).toEqual({ kind: 'healthy', numbers: { samples: 50_000, errorRate: 0.0001, p95Ms: 120, p99Ms: 300 } });
    expect(verdictOf(bake({ errorRate: 0.000999, p95Ms: 199.9 }))?.kind).toBe('healthy');
  });

  it('holds at or above the error-rate criterion, checked before P95', () => {
    expect(verdictOf(bake({ errorRate: 0.001 }))).toMatchObject({ kind: 'degraded', trigger: 'error_rate' });
    expect(verdictOf(bake({ errorRate: 0.002, p95Ms: 300 }))).toMatchObject({ kind: 'degraded', trigger: 'error_rate' });
  });

  it('holds at or above the P95 criterion', () => {
    expect(verdictOf(bake({ p95Ms: 200 }))).toMatchObject({ kind: 'degraded', trigger: 'p95' });
  });

  it('never passes without enough samples, or without latency data', () => {
    expect(verdictOf(bake({ samples: 40, errors: 0, errorRate: 0 }))).toMatchObject({ kind: 'insufficient-data', samples: 40, required: 100 });
    expect(verdictOf(bake({ samples: 0, errors: 0, errorRate: null, p95Ms: null, p99Ms: null }))).toMatchObject({ kind: 'insufficient-data', samples: 0 });
    expect(verdictOf(bake({ p95Ms: null, p99Ms: null }))).toMatchObject({ kind: 'insufficient-data', samples: 0, required: 100 });
  });

  it('is judged independently of a breached window', () => {
    const input = healthVerdict(
      signals(
        five((k) => erroring(k)),
        { bake: bake({}) },
      ),
      T,
    );
    expect(input.window.kind).toBe('breached');
    expect(input.bake?.kind).toBe('healthy');
  });
});
