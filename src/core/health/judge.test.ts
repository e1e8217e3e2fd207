import { describe, expect, it } from 'vitest';
import { MINUTE_MS } from '../metrics/minutes';
import { statsOf, type MinuteBucket } from '../metrics/window-stats';
import { started, T0 } from '../../../test/helpers/rollout-fixtures';
import type { MinutePair } from './guard-state';
import { judgeRollout } from './judge';

const at = (k: number) => T0 + k * MINUTE_MS;
const bucket = (k: number, count: number, errors: number): MinuteBucket => ({ minute: at(k), count, errors, bins: {} });

describe('judgeRollout', () => {
  it('rolls back on evidence that crossed inside a catch-up of many minutes, even when the minutes after it bring it back under', () => {
    // A 5 % stage: 2,000 treatment and 38,000 baseline requests a minute, the baseline at 0.5 %
    // errors. The treatment errs 5× as often for 3 minutes, then like the baseline for 177. Ticked
    // every minute, the first bad minute's evidence (≈ e^35, 150 needed) rolls it back; a tick that
    // catches up all 180 minutes at once must not miss that the test already stopped there.
    const rollout = started();
    const pairs: MinutePair[] = Array.from({ length: 180 }, (_, k) => ({
      minute: at(k),
      treatment: bucket(k, 2000, k < 3 ? 50 : 10),
      baseline: bucket(k, 38_000, 190),
    }));
    const last = pairs.slice(-5).map((p) => p.treatment!);
    const signals = { minutes: last, window: statsOf(last), baseline: statsOf(pairs.slice(-5).map((p) => p.baseline!)), pairs };
    const live = judgeRollout(rollout, { ...signals, pairs: pairs.slice(0, 1) }, 0, at(1));
    expect(live.health.window).toMatchObject({ kind: 'breached', trigger: 'errors_vs_baseline' });
    const caughtUp = judgeRollout(rollout, signals, 0, at(180));
    expect(caughtUp.health.window).toMatchObject({ kind: 'breached', trigger: 'errors_vs_baseline' });
  });
});

describe('judgeRollout: a regression that appears at a later stage', () => {
  /** `n` minutes from minute `from` on at `percent`, 40,000 requests a minute, the baseline at 0.5 % errors, the treatment at `factor` times that. */
  const minutesAt = (from: number, n: number, percent: number, factor: number): MinutePair[] =>
    Array.from({ length: n }, (_, i) => {
      const nT = 400 * percent;
      const nB = 40_000 - nT;
      return { minute: at(from + i), treatment: bucket(from + i, nT, Math.round(nT * 0.005 * factor)), baseline: bucket(from + i, nB, Math.round(nB * 0.005)) };
    });
  const judge = (r: ReturnType<typeof started>, pairs: MinutePair[], now: number) => {
    const last = pairs.slice(-5).map((p) => p.treatment!);
    return judgeRollout(r, { minutes: last, window: statsOf(last), baseline: statsOf(pairs.slice(-5).map((p) => p.baseline!)), pairs }, 0, now);
  };

  it('is found within minutes after days of healthy stages, as from the start: healthy minutes must not bury the evidence a later regression needs', () => {
    // Safe strategy: 24 h at 5, 10 and 25 % with the treatment like its baseline, then twice its
    // errors from the 50 % stage on (a regression that needs load to show). From the start of a
    // rollout this is found in the first minute; the evidence of the healthy days must not delay it by hours.
    let r = started();
    let k = 0;
    for (const [stageIndex, percent] of [
      [0, 5],
      [1, 10],
      [2, 25],
    ] as const) {
      r = { ...r, stageIndex, percent };
      r = { ...r, guards: judge(r, minutesAt(k, 1440, percent, 1), at(k + 1440)).guards };
      k += 1440;
    }
    r = { ...r, stageIndex: 3, percent: 50 };
    let found = -1;
    for (let m = 1; m <= 60 && found < 0; m++) {
      const judged = judge(r, minutesAt(k, 1, 50, 2), at(k + 1));
      if (judged.health.window.kind === 'breached') found = m;
      r = { ...r, guards: judged.guards };
      k++;
    }
    expect(found).toBeGreaterThan(0);
    expect(found).toBeLessThanOrEqual(5);
  });
});

describe('judgeRollout: the sample ratio', () => {
  // Reports split 50/50 where the rollout serves 5 %: a mismatch, unless the flag's targeting rules
  // explain it (users they match report the rule's variant whatever the stage).
  const pairs: MinutePair[] = Array.from({ length: 10 }, (_, k) => ({ minute: at(k), treatment: bucket(k, 1000, 0), baseline: bucket(k, 1000, 0) }));
  const last = pairs.slice(-5).map((p) => p.treatment!);
  const signals = { minutes: last, window: statsOf(last), baseline: statsOf(last), pairs };

  it('holds a rollout whose reports do not split as it serves', () => {
    const judged = judgeRollout(started(), signals, 0, at(10));
    expect(judged.health.window).toMatchObject({ kind: 'held', cause: 'sample_ratio' });
  });

  it('is not judged for a flag with targeting rules: it passes on its other numbers', () => {
    const judged = judgeRollout(started(), { ...signals, sampleRatioApplies: false }, 0, at(10));
    expect(judged.guards.sampleRatio.periods).toBe(0);
    expect(judged.health.window.kind).toBe('healthy');
  });
});
