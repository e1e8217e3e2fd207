import { describe, expect, it } from 'vitest';
import { MINUTE_MS } from '../metrics/minutes';
import { statsOf, type MinuteBucket } from '../metrics/window-stats';
import { started, T0 } from '../rollout/test-fixtures';
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
