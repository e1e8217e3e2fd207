import { describe, expect, it } from 'vitest';
import { MINUTE_MS } from '../metrics/minutes';
import { statsOf, type WindowStats } from '../metrics/window-stats';
import { advanceGuards, initialGuards } from './guard-state';
import { healthVerdict } from './policy';
import { bucket, fine, five, signals, T, T0 } from '../../../test/helpers/health-minutes';

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
