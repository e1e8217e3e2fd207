import { describe, expect, it } from 'vitest';
import { MAX_DURATION_SECONDS, MAX_LATENCY_LIMIT_MS, zRolloutAction, zStartRollout } from '../schema/rollout';
import { iso } from './format';
import { bakeEndsAt, nextPromotionAt, stageDueAt } from './schedule';
import { started } from '../../../test/helpers/rollout-fixtures';

const base = { flag: 'f', variant: 'on', strategy: 'safe' } as const;
const errorPaths = (body: unknown) => {
  const r = zStartRollout.safeParse(body);
  return r.success ? [] : r.error.issues.map((i) => `/${i.path.join('/')}`);
};

describe('rollout bodies: every duration and threshold is bounded', () => {
  it('refuses afterSeconds and bakeSeconds beyond 90 days, naming the path', () => {
    const stages = [
      { percent: 50, afterSeconds: 0 },
      { percent: 100, afterSeconds: 9e12 },
    ];
    expect(errorPaths({ ...base, stages })).toEqual(['/stages/1/afterSeconds']);
    expect(errorPaths({ ...base, bakeSeconds: 9e12 })).toEqual(['/bakeSeconds']);
    expect(errorPaths({ ...base, bakeSeconds: MAX_DURATION_SECONDS + 1 })).toEqual(['/bakeSeconds']);
    expect(errorPaths({ ...base, bakeSeconds: MAX_DURATION_SECONDS, stages: [{ percent: 100, afterSeconds: 0 }] })).toEqual([]);
  });

  it('refuses unbounded health thresholds', () => {
    expect(errorPaths({ ...base, health: { maxP95Ms: MAX_LATENCY_LIMIT_MS + 1 } })).toEqual(['/health/maxP95Ms']);
    expect(errorPaths({ ...base, health: { maxP99Ms: 1e308 } })).toEqual(['/health/maxP99Ms']);
    expect(errorPaths({ ...base, health: { bakeMaxP95Ms: 1e300 } })).toEqual(['/health/bakeMaxP95Ms']);
    expect(errorPaths({ ...base, health: { minSamples: 1e12 } })).toEqual(['/health/minSamples']);
    expect(errorPaths({ ...base, health: { maxProbeFailures: 1e6 } })).toEqual(['/health/maxProbeFailures']);
  });

  it('bounds fromStage and the reason of an action', () => {
    expect(zRolloutAction.safeParse({ reason: 'x', fromStage: 1e12 }).success).toBe(false);
    expect(zRolloutAction.safeParse({ reason: 'x'.repeat(1001) }).success).toBe(false);
    expect(zRolloutAction.safeParse({ reason: 'x', fromStage: 3 }).success).toBe(true);
  });

  it('computes valid dates at the extremes: longest stage and bake, far start, long pauses', () => {
    const stages = [
      { percent: 1, afterSeconds: 0 },
      { percent: 100, afterSeconds: MAX_DURATION_SECONDS },
    ];
    // The year 9999 and 90 days of pausing: still far below the Date range (±8.64e15 ms).
    const start = Date.UTC(9999, 0, 1);
    const r = { ...started({ stages, bakeSeconds: MAX_DURATION_SECONDS }, start), pausedTotalMs: MAX_DURATION_SECONDS * 1000 };
    const due = [stageDueAt(r, 1), nextPromotionAt(r), bakeEndsAt({ ...r, bakeStartedAt: start + 2 * MAX_DURATION_SECONDS * 1000 })];
    for (const ms of due) {
      expect(Number.isFinite(ms)).toBe(true);
      expect(() => iso(ms!)).not.toThrow();
    }
  });
});
