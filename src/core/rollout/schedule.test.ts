import { describe, expect, it } from 'vitest';
import { applyAction } from './actions';
import { bakeEndsAt, isTerminal, nextPromotionAt, stageDueAt } from './schedule';
import { HOUR_MS, T0, at, started } from '../../../test/helpers/rollout-fixtures';

const why = { reason: 'test' };

describe('schedule', () => {
  it('a stage is due its offset after the start', () => {
    const r = started();
    expect(stageDueAt(r, 0)).toBe(T0);
    expect(stageDueAt(r, 3)).toBe(at(72));
    expect(stageDueAt(r, 6)).toBeNull();
    expect(nextPromotionAt(r)).toBe(at(24));
  });

  it('a pause has no due time while it lasts, then shifts every stage by its length', () => {
    const paused = applyAction(started(), 'pause', why, at(10)).rollout;
    expect(stageDueAt(paused, 1)).toBeNull();
    expect(nextPromotionAt(paused)).toBeNull();
    const resumed = applyAction(paused, 'resume', why, at(16)).rollout;
    expect(resumed.pausedTotalMs).toBe(6 * HOUR_MS);
    expect(stageDueAt(resumed, 1)).toBe(at(30));
    expect(stageDueAt(resumed, 5)).toBe(at(126));
    expect(nextPromotionAt(resumed)).toBe(at(30));
  });

  it('pauses add up', () => {
    let r = started();
    r = applyAction(r, 'pause', why, at(1)).rollout;
    r = applyAction(r, 'resume', why, at(3)).rollout;
    r = applyAction(r, 'pause', why, at(5)).rollout;
    r = applyAction(r, 'resume', why, at(6)).rollout;
    expect(stageDueAt(r, 1)).toBe(at(27));
  });

  it('no next promotion at the last stage or after the end', () => {
    const instant = started({ strategy: 'instant' });
    expect(nextPromotionAt(instant)).toBeNull();
    const ended = applyAction(started(), 'rollback', why, at(1)).rollout;
    expect(isTerminal(ended)).toBe(true);
    expect(nextPromotionAt(ended)).toBeNull();
  });

  it('the bake ends bakeSeconds after it started, and not before it started', () => {
    expect(bakeEndsAt(started())).toBeNull();
    expect(bakeEndsAt(started({ strategy: 'instant' }))).toBe(at(1));
    expect(bakeEndsAt(started({ strategy: 'instant', bakeSeconds: 90 }))).toBe(T0 + 90_000);
  });
});
