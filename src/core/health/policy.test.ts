import { describe, expect, it } from 'vitest';
import { zHealthThresholds, type HealthThresholds } from '../schema/rollout';
import { MINUTE_MS } from '../metrics/minutes';
import { binOf } from '../metrics/sketch';
import { statsOf, type MinuteBucket, type WindowStats } from '../metrics/window-stats';
import { advanceGuards, initialGuards } from './guard-state';
import { healthVerdict, type HealthSignals } from './policy';

const T: HealthThresholds = zHealthThresholds.parse({}); // defaults: 1 %, 500 ms, 1000 ms, 5 minutes, 100 samples, 5 probes
const T0 = 1_700_000_040_000 - (1_700_000_040_000 % MINUTE_MS);

/** A minute of `count` reports with `errors`, and latencies given as [ms, how many]. */
function bucket(k: number, count: number, errors: number, latencies: Array<[number, number]>): MinuteBucket {
  const bins: Record<string, number> = {};
  for (const [ms, n] of latencies) bins[String(binOf(ms))] = (bins[String(binOf(ms))] ?? 0) + n;
  return { minute: T0 + k * MINUTE_MS, count, errors, bins };
}

// One minute each, 200 reports: healthy, or breaching exactly one limit.
const fine = (k: number, count = 200) => bucket(k, count, 0, [[100, count]]);
const erroring = (k: number, count = 200) => bucket(k, count, Math.ceil(count * 0.03), [[100, count]]); // 3 % > 1 %
const slowP95 = (k: number) =>
  bucket(k, 200, 0, [
    [100, 140],
    [700, 60],
  ]); // 30 % at 700 ms: P95 ≈ 700 > 500 with confidence, P99 ≈ 700 < 1000
const slowP99 = (k: number) =>
  bucket(k, 200, 0, [
    [100, 190],
    [1500, 10],
  ]); // 5 % at 1500 ms: P95 ≈ 100, P99 ≈ 1500 > 1000 with confidence

/** Signals as the coordinator builds them: the minutes and their aggregate. */
function signals(buckets: MinuteBucket[], extra: Partial<HealthSignals> = {}): HealthSignals {
  return { minutes: buckets, window: statsOf(buckets), probeFailures: 0, ...extra };
}

const five = (make: (k: number) => MinuteBucket) => [0, 1, 2, 3, 4].map(make);

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

describe('healthVerdict: against the baseline', () => {
  /** Guards fed `n` minutes of 2,000 treatment and 38,000 baseline requests with the given errors (5 % stage). */
  const fed = (n: number, treatmentErrors: number, baselineErrors: number, baselineCount = 38_000) => {
    let g = initialGuards(5, T0 - 10 * MINUTE_MS);
    for (let k = 0; k < n; k++)
      g = advanceGuards(
        g,
        [{ minute: T0 + k * MINUTE_MS, treatment: bucket(k, 2000, treatmentErrors, []), baseline: bucket(k, baselineCount, baselineErrors, []) }],
        true,
      );
    return g;
  };
  const baseline = (errors: number): WindowStats => statsOf([bucket(0, 38_000 * 5, errors * 5, [])]);

  it('rolls back when the treatment errs significantly more than the baseline, even under the limit, naming the guard', () => {
    // 0.8 % vs 0.2 %: under the 1 % limit, four times the baseline.
    const minutes = five((k) => bucket(k, 2000, 16, []));
    const v = healthVerdict(signals(minutes, { baseline: baseline(76), guards: fed(5, 16, 76) }), T).window;
    expect(v).toMatchObject({ kind: 'breached', trigger: 'errors_vs_baseline' });
    const errors = v.kind === 'breached' ? v.numbers.guards?.find((g) => g.guard === 'errors') : undefined;
    expect(errors).toMatchObject({ needed: 150, treatment: { requests: 10_000, events: 80 }, baseline: { requests: 190_000, events: 380 } });
    expect(errors!.evidence).toBeGreaterThanOrEqual(150);
  });

  it('passes a treatment that errs like its baseline', () => {
    const minutes = five((k) => bucket(k, 2000, 4, []));
    expect(healthVerdict(signals(minutes, { baseline: baseline(76), guards: fed(5, 4, 76) }), T).window.kind).toBe('healthy');
  });

  it('holds when both cohorts breach a limit and the treatment is no worse; rolls back instead when told to', () => {
    const minutes = five((k) => bucket(k, 2000, 60, [])); // 3 %
    const input = signals(minutes, { baseline: baseline(1140), guards: fed(5, 60, 1140) }); // 3 % both
    expect(healthVerdict(input, T).window).toMatchObject({ kind: 'held', cause: 'environment_wide', trigger: 'error_rate' });
    expect(healthVerdict(input, { ...T, onEnvironmentWide: 'rollback' }).window).toMatchObject({ kind: 'breached', trigger: 'error_rate' });
  });

  it('holds rather than rolls back when the baseline may breach as well: a smaller baseline whose estimate dips under the limit is no proof it is within it', () => {
    // A 90 % stage, both cohorts at 1.08 % errors: the treatment's 120,000 requests a minute are
    // over 1 % with confidence, while the baseline's 66,500 in the window read 0.99 %, well within
    // its noise of 1.08 %. A/A in a simulation: rolled back in 91 of 100 days (before this check).
    const minutes = five((k) => bucket(k, 120_000, 1296, []));
    const thin = statsOf([bucket(0, 66_500, 658, [])]);
    const same = fed(5, 0, 0);
    expect(healthVerdict(signals(minutes, { baseline: thin, guards: same }), T).window).toMatchObject({
      kind: 'held',
      cause: 'environment_wide',
      trigger: 'error_rate',
    });
    // A baseline within the limit with confidence still lets the treatment's own breach roll back,
    // and so does one with too few samples to say anything.
    const clean = statsOf([bucket(0, 66_500, 333, [])]); // 0.5 %
    expect(healthVerdict(signals(minutes, { baseline: clean, guards: same }), T).window).toMatchObject({ kind: 'breached', trigger: 'error_rate' });
    const none = statsOf([bucket(0, 60, 0, [])]);
    expect(healthVerdict(signals(minutes, { baseline: none, guards: same }), T).window).toMatchObject({ kind: 'breached', trigger: 'error_rate' });
  });

  it('holds on a sample-ratio mismatch, but a sustained breach still rolls back', () => {
    // The treatment's reports are 2,000 a minute where 5 % of 2,000 + 10,000 would be 600.
    const minutes = five((k) => bucket(k, 2000, 0, []));
    const off = fed(5, 0, 0, 10_000);
    expect(healthVerdict(signals(minutes, { baseline: statsOf([bucket(0, 50_000, 0, [])]), guards: off }), T).window).toMatchObject({
      kind: 'held',
      cause: 'sample_ratio',
    });
    const failing = five((k) => bucket(k, 2000, 200, []));
    expect(healthVerdict(signals(failing, { baseline: statsOf([bucket(0, 50_000, 0, [])]), guards: fed(5, 200, 0, 10_000) }), T).window.kind).toBe('breached');
  });

  it('needs the minimum sample in the baseline too: no baseline data is never a pass', () => {
    const minutes = five((k) => fine(k));
    expect(healthVerdict(signals(minutes, { baseline: statsOf([bucket(0, 40, 0, [])]) }), T).window).toMatchObject({
      kind: 'insufficient-data',
      cohort: 'baseline',
      samples: 40,
      required: 100,
    });
  });
});
