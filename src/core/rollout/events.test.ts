import { describe, expect, it } from 'vitest';
import { needsPublish } from './events';

describe('needsPublish', () => {
  it('is true for a percent or status change', () => {
    expect(needsPublish([{ type: 'promoted', fromPercent: 5, toPercent: 10, stageIndex: 1, manual: false }])).toBe(true);
    expect(needsPublish([{ type: 'completed', percent: 100 }])).toBe(true);
    expect(needsPublish([{ type: 'rolled_back', fromPercent: 5, manual: true, reason: 'x' }])).toBe(true);
    expect(needsPublish([{ type: 'paused' }])).toBe(true);
    expect(needsPublish([{ type: 'resumed', pausedMs: 1 }])).toBe(true);
  });

  it('is false for nothing, a wait, or a bake start on its own', () => {
    expect(needsPublish([])).toBe(false);
    expect(needsPublish([{ type: 'waiting', reason: 'insufficient data (1 of 100 samples)' }])).toBe(false);
    expect(needsPublish([{ type: 'bake_started', percent: 100, endsAt: 0 }])).toBe(false);
  });
});
