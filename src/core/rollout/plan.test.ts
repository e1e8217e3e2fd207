import { describe, expect, it } from 'vitest';
import type { StartRollout } from '../schema/rollout';
import { planFor } from './plan';
import { STRATEGIES } from './strategies';

const H = 3600;
const base: StartRollout = { flag: 'f', variant: 'on', strategy: 'safe' };
const DEFAULT_HEALTH = {
  maxErrorRate: 0.01,
  maxP95Ms: 500,
  maxP99Ms: 1000,
  sustainedMinutes: 5,
  minSamples: 100,
  maxProbeFailures: 5,
  bakeMaxErrorRate: 0.001,
  bakeMaxP95Ms: 200,
  alpha: 0.01,
  onEnvironmentWide: 'hold',
};

function plan(input: Partial<StartRollout>) {
  const result = planFor({ ...base, ...input });
  if (!result.ok) throw new Error(JSON.stringify(result.errors));
  return result.plan;
}

function refusal(input: Partial<StartRollout>) {
  const result = planFor({ ...base, ...input });
  if (result.ok) throw new Error('expected a refusal');
  return result.errors;
}

describe('planFor: built-in strategies', () => {
  it('safe: 5/10/25/50/75/100 a day apart, 48 h bake, default health', () => {
    expect(plan({ strategy: 'safe' })).toEqual({
      strategy: 'safe',
      stages: [
        { percent: 5, afterSeconds: 0 },
        { percent: 10, afterSeconds: 24 * H },
        { percent: 25, afterSeconds: 48 * H },
        { percent: 50, afterSeconds: 72 * H },
        { percent: 75, afterSeconds: 96 * H },
        { percent: 100, afterSeconds: 120 * H },
      ],
      bakeSeconds: 48 * H,
      health: DEFAULT_HEALTH,
    });
  });

  it('fast: the same percentages 12 h apart, 12 h bake', () => {
    const p = plan({ strategy: 'fast' });
    expect(p.stages).toEqual([
      { percent: 5, afterSeconds: 0 },
      { percent: 10, afterSeconds: 12 * H },
      { percent: 25, afterSeconds: 24 * H },
      { percent: 50, afterSeconds: 36 * H },
      { percent: 75, afterSeconds: 48 * H },
      { percent: 100, afterSeconds: 60 * H },
    ]);
    expect(p.bakeSeconds).toBe(12 * H);
  });

  it('instant: 100 % at once, 1 h bake', () => {
    const p = plan({ strategy: 'instant' });
    expect(p.stages).toEqual([{ percent: 100, afterSeconds: 0 }]);
    expect(p.bakeSeconds).toBe(H);
  });

  it('hands out copies: changing a plan does not change the built-in table or the next plan', () => {
    const p = plan({ strategy: 'safe' });
    p.stages[0]!.percent = 1;
    p.stages.push({ percent: 100, afterSeconds: 999 });
    expect(STRATEGIES.safe.stages[0]!.percent).toBe(5);
    expect(plan({ strategy: 'safe' }).stages).toHaveLength(6);
  });
});

describe('planFor: overrides', () => {
  it('custom stages replace the strategy’s, whose bake still applies', () => {
    const stages = [
      { percent: 1, afterSeconds: 0 },
      { percent: 50, afterSeconds: 600 },
      { percent: 100, afterSeconds: 600 },
    ];
    const p = plan({ strategy: 'fast', stages });
    expect(p.stages).toEqual(stages);
    expect(p.stages).not.toBe(stages);
    expect(p.bakeSeconds).toBe(12 * H);
    expect(p.strategy).toBe('fast');
  });

  it('bakeSeconds replaces the bake, including 0', () => {
    expect(plan({ strategy: 'safe', bakeSeconds: 3600 }).bakeSeconds).toBe(3600);
    expect(plan({ strategy: 'safe', bakeSeconds: 0 }).bakeSeconds).toBe(0);
  });

  it('health overrides lay over the defaults, key by key', () => {
    expect(plan({ health: { maxErrorRate: 0.02, minSamples: 50 } }).health).toEqual({ ...DEFAULT_HEALTH, maxErrorRate: 0.02, minSamples: 50 });
  });

  it('an explicit undefined in health does not erase a default', () => {
    expect(plan({ health: { maxP95Ms: undefined, maxP99Ms: 800 } }).health).toEqual({ ...DEFAULT_HEALTH, maxP99Ms: 800 });
  });
});

describe('planFor: refusals', () => {
  it('a first stage that does not start at 0', () => {
    expect(
      refusal({
        stages: [
          { percent: 10, afterSeconds: 60 },
          { percent: 100, afterSeconds: 120 },
        ],
      }),
    ).toEqual([{ path: '/stages/0/afterSeconds', message: expect.stringContaining('afterSeconds 0') }]);
  });

  it('percents that fall or repeat', () => {
    const errors = refusal({
      stages: [
        { percent: 10, afterSeconds: 0 },
        { percent: 20, afterSeconds: 10 },
        { percent: 15, afterSeconds: 20 },
        { percent: 15, afterSeconds: 30 },
        { percent: 100, afterSeconds: 40 },
      ],
    });
    expect(errors.map((e) => e.path)).toEqual(['/stages/2/percent', '/stages/3/percent']);
    expect(errors[0]!.message).toContain('20');
  });

  it('afterSeconds that go back in time, while equal ones are fine', () => {
    const errors = refusal({
      stages: [
        { percent: 10, afterSeconds: 0 },
        { percent: 20, afterSeconds: 100 },
        { percent: 30, afterSeconds: 100 },
        { percent: 100, afterSeconds: 50 },
      ],
    });
    expect(errors).toEqual([{ path: '/stages/3/afterSeconds', message: expect.stringContaining('100') }]);
  });

  it('a last stage short of 100 %', () => {
    expect(
      refusal({
        stages: [
          { percent: 10, afterSeconds: 0 },
          { percent: 90, afterSeconds: 10 },
        ],
      }),
    ).toEqual([{ path: '/stages/1/percent', message: expect.stringContaining('100') }]);
    expect(refusal({ stages: [{ percent: 50, afterSeconds: 0 }] }).map((e) => e.path)).toEqual(['/stages/0/percent']);
  });

  it('an empty stage list', () => {
    expect(refusal({ stages: [] }).map((e) => e.path)).toEqual(['/stages']);
  });

  it('reports every problem at once', () => {
    const errors = refusal({
      stages: [
        { percent: 10, afterSeconds: 5 },
        { percent: 5, afterSeconds: 0 },
        { percent: 80, afterSeconds: 10 },
      ],
    });
    expect(errors.map((e) => e.path)).toEqual(['/stages/0/afterSeconds', '/stages/1/percent', '/stages/1/afterSeconds', '/stages/2/percent']);
  });

  it('accepts a single 100 % stage', () => {
    expect(planFor({ ...base, stages: [{ percent: 100, afterSeconds: 0 }] }).ok).toBe(true);
  });
});
