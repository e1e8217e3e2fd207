import { describe, expect, it } from 'vitest';
import { T0, started } from '../../../test/helpers/rollout-fixtures';

describe('startRollout', () => {
  it('runs at the first stage from now, with nothing decided by a tick yet', () => {
    const r = started({ strategy: 'safe' });
    expect(r).toMatchObject({
      id: 'ro_1',
      flag: 'new-checkout',
      variant: 'on',
      baselineVariant: 'off',
      status: 'running',
      stageIndex: 0,
      percent: 5,
      startedAt: T0,
      pausedTotalMs: 0,
      pausedAt: null,
      bakeStartedAt: null,
      endedAt: null,
      lastVerdict: null,
      lastTickAt: null,
      lastDecision: 'started at 5%',
    });
    expect(r.plan.stages).toHaveLength(6);
  });

  it('starts the bake at once when the first stage is already 100 %', () => {
    const r = started({ strategy: 'instant' });
    expect(r.percent).toBe(100);
    expect(r.bakeStartedAt).toBe(T0);
  });

  it('stores a missing baseline variant as null', () => {
    expect(started({ baselineVariant: undefined }).baselineVariant).toBeNull();
  });
});
