import { describe, expect, it } from 'vitest';
import type { HealthInput, Rollout } from '../schema/rollout';
import { applyAction } from './actions';
import { type RolloutEvent, needsPublish } from './events';
import { iso } from './format';
import { tickRollout } from './tick';
import { HOUR_MS, at, breached, healthy, insufficient, started } from '../../../test/helpers/rollout-fixtures';

const why = { reason: 'test' };

interface Step {
  hour: number;
  rollout: Rollout;
  events: RolloutEvent[];
}

/** Ticks every hour from `from` to `to` inclusive, recording each result. */
function hourly(rollout: Rollout, from: number, to: number, health: (hour: number) => HealthInput = () => healthy()): Step[] {
  const steps: Step[] = [];
  let current = rollout;
  for (let hour = from; hour <= to; hour++) {
    const { rollout: next, events } = tickRollout(current, at(hour), health(hour));
    steps.push({ hour, rollout: next, events });
    current = next;
  }
  return steps;
}

const hoursWith = (steps: Step[], type: RolloutEvent['type']) => steps.filter((s) => s.events.some((e) => e.type === type)).map((s) => s.hour);

/** The percent a schedule of [percent, fromHour] pairs implies at `hour`. */
function expectedPercent(schedule: [number, number][], hour: number): number {
  return schedule.filter(([, from]) => from <= hour).at(-1)![0];
}

describe('tickRollout: a full safe rollout, ticked hourly for 8 days', () => {
  const steps = hourly(started({ strategy: 'safe' }), 0, 8 * 24);
  const schedule: [number, number][] = [
    [5, 0],
    [10, 24],
    [25, 48],
    [50, 72],
    [75, 96],
    [100, 120],
  ];

  it('promotes exactly at 24/48/72/96/120 h, one stage each time', () => {
    expect(hoursWith(steps, 'promoted')).toEqual([24, 48, 72, 96, 120]);
    const promotions = steps.flatMap((s) => s.events.filter((e) => e.type === 'promoted'));
    expect(promotions).toEqual([
      { type: 'promoted', fromPercent: 5, toPercent: 10, stageIndex: 1, manual: false },
      { type: 'promoted', fromPercent: 10, toPercent: 25, stageIndex: 2, manual: false },
      { type: 'promoted', fromPercent: 25, toPercent: 50, stageIndex: 3, manual: false },
      { type: 'promoted', fromPercent: 50, toPercent: 75, stageIndex: 4, manual: false },
      { type: 'promoted', fromPercent: 75, toPercent: 100, stageIndex: 5, manual: false },
    ]);
  });

  it('is at the planned stage and percent at every hour until it completes', () => {
    for (const { hour, rollout } of steps.filter((s) => s.hour < 168)) {
      const percent = expectedPercent(schedule, hour);
      expect({ hour, percent: rollout.percent, stage: rollout.stageIndex, status: rollout.status }).toEqual({
        hour,
        percent,
        stage: schedule.findIndex(([p]) => p === percent),
        status: 'running',
      });
      expect(rollout.lastTickAt).toBe(at(hour));
    }
  });

  it('starts the bake at 120 h and completes at 168 h, then never changes', () => {
    expect(hoursWith(steps, 'bake_started')).toEqual([120]);
    expect(steps.find((s) => s.hour === 120)!.rollout.bakeStartedAt).toBe(at(120));
    expect(hoursWith(steps, 'completed')).toEqual([168]);
    const done = steps.find((s) => s.hour === 168)!.rollout;
    expect(done).toMatchObject({ status: 'completed', percent: 100, endedAt: at(168), lastDecision: 'completed: bake passed at 100%' });
    const after = steps.filter((s) => s.hour > 168);
    expect(after.length).toBeGreaterThan(0);
    for (const s of after) {
      expect(s.rollout).toBe(done);
      expect(s.events).toEqual([]);
    }
  });

  it('says what it waits for in between', () => {
    expect(steps.find((s) => s.hour === 5)!.rollout.lastDecision).toBe(`waiting: next stage 10% at ${iso(at(24))}`);
    expect(steps.find((s) => s.hour === 24)!.rollout.lastDecision).toBe('promoted: 5% → 10% (stage 2 of 6)');
    expect(steps.find((s) => s.hour === 120)!.rollout.lastDecision).toBe(`promoted: 75% → 100% (stage 6 of 6); baking until ${iso(at(168))}`);
    expect(steps.find((s) => s.hour === 150)!.rollout.lastDecision).toBe(`baking: completes at ${iso(at(168))}`);
  });

  it('publishes exactly when the percent or status changed', () => {
    expect(steps.filter((s) => needsPublish(s.events)).map((s) => s.hour)).toEqual([24, 48, 72, 96, 120, 168]);
  });
});

describe('tickRollout: fast and instant end to end', () => {
  it('fast promotes every 12 h and completes 12 h after reaching 100 %', () => {
    const steps = hourly(started({ strategy: 'fast' }), 0, 80);
    expect(hoursWith(steps, 'promoted')).toEqual([12, 24, 36, 48, 60]);
    expect(steps.map((s) => s.rollout.percent).filter((p, i, all) => p !== all[i - 1])).toEqual([5, 10, 25, 50, 75, 100]);
    expect(hoursWith(steps, 'bake_started')).toEqual([60]);
    expect(hoursWith(steps, 'completed')).toEqual([72]);
    expect(steps.at(-1)!.rollout.status).toBe('completed');
  });

  it('instant bakes from the start and completes after an hour', () => {
    const r = started({ strategy: 'instant' });
    const first = tickRollout(r, at(0.5), healthy());
    expect(first.events).toEqual([]);
    expect(first.rollout.lastDecision).toBe(`baking: completes at ${iso(at(1))}`);
    const done = tickRollout(first.rollout, at(1), healthy());
    expect(done.events).toEqual([{ type: 'completed', percent: 100 }]);
    expect(done.rollout).toMatchObject({ status: 'completed', percent: 100, endedAt: at(1) });
  });
});

describe('tickRollout: missed ticks', () => {
  it('a first tick at 100 h promotes one stage only; each later tick catches up one more', () => {
    const r = started();
    const t100 = tickRollout(r, at(100), healthy());
    expect(t100.rollout).toMatchObject({ stageIndex: 1, percent: 10 });
    expect(t100.events).toEqual([{ type: 'promoted', fromPercent: 5, toPercent: 10, stageIndex: 1, manual: false }]);

    const steps = hourly(t100.rollout, 101, 104);
    expect(steps.map((s) => s.rollout.percent)).toEqual([25, 50, 75, 75]);
    expect(steps.at(-1)!.rollout.lastDecision).toBe(`waiting: next stage 100% at ${iso(at(120))}`);
  });

  it('catching up never skips the health check: an unhealthy window stops it', () => {
    const t100 = tickRollout(started(), at(100), healthy()).rollout;
    const held = tickRollout(t100, at(101), insufficient(3));
    expect(held.rollout.percent).toBe(10);
    expect(tickRollout(held.rollout, at(102), healthy()).rollout.percent).toBe(25);
  });
});

describe('tickRollout: insufficient data', () => {
  it('does not promote, says why, emits a waiting event, then promotes once healthy', () => {
    const r = started();
    const waiting = tickRollout(r, at(24), insufficient(12));
    expect(waiting.rollout).toMatchObject({ stageIndex: 0, percent: 5, lastDecision: 'waiting: insufficient data (12 of 100 samples)' });
    expect(waiting.rollout.lastVerdict).toEqual({ kind: 'insufficient-data', samples: 12, required: 100 });
    expect(waiting.events).toEqual([{ type: 'waiting', reason: 'insufficient data (12 of 100 samples)' }]);
    expect(needsPublish(waiting.events)).toBe(false);

    const still = tickRollout(waiting.rollout, at(25), insufficient(0));
    expect(still.rollout.lastDecision).toBe('waiting: insufficient data (0 of 100 samples)');
    expect(still.rollout.percent).toBe(5);

    const promoted = tickRollout(still.rollout, at(26), healthy());
    expect(promoted.rollout).toMatchObject({ stageIndex: 1, percent: 10 });
  });

  it('before a stage is due, no data is no reason to wait on data', () => {
    const { rollout, events } = tickRollout(started(), at(3), insufficient(12));
    expect(rollout.lastDecision).toBe(`waiting: next stage 10% at ${iso(at(24))}`);
    expect(events).toEqual([]);
  });

  it('a bake without enough data at its end waits instead of passing', () => {
    const r = started({ strategy: 'instant' });
    const bake = { kind: 'insufficient-data' as const, samples: 40, required: 100 };
    const waiting = tickRollout(r, at(1), { window: healthy().window, bake });
    expect(waiting.rollout.status).toBe('running');
    expect(waiting.rollout.lastDecision).toBe('waiting: insufficient data (40 of 100 samples)');
    expect(waiting.events).toEqual([{ type: 'waiting', reason: 'insufficient data (40 of 100 samples)' }]);
    // With no bake verdict, the window stands in for it, and no data still is no pass.
    expect(tickRollout(r, at(1), insufficient(5)).rollout.status).toBe('running');
    expect(tickRollout(waiting.rollout, at(2), { window: healthy().window, bake: healthy().window }).rollout.status).toBe('completed');
  });

  it('a bake that missed its success criteria holds at 100 % rather than completing or rolling back', () => {
    const r = started({ strategy: 'instant' });
    const { rollout, events } = tickRollout(r, at(1), {
      window: healthy().window,
      bake: { kind: 'breached', trigger: 'error_rate', numbers: { errorRate: 0.002 } },
    });
    expect(rollout).toMatchObject({ status: 'running', percent: 100, endedAt: null });
    expect(rollout.lastDecision).toBe('waiting: bake criteria not met (error_rate 0.2% ≥ 0.1%); holding at 100%');
    expect(events).toEqual([{ type: 'waiting', reason: 'bake criteria not met (error_rate 0.2% ≥ 0.1%); holding at 100%' }]);
  });
});

describe('tickRollout: breaches', () => {
  it('rolls a running rollout back to 0 % with the trigger and its numbers', () => {
    const at30 = tickRollout(started(), at(24), healthy()).rollout;
    const numbers = { samples: 900, errorRate: 0.023, p95Ms: 140 };
    const { rollout, events } = tickRollout(at30, at(30), breached('error_rate', numbers));
    expect(rollout).toMatchObject({ status: 'rolled_back', percent: 0, endedAt: at(30), stageIndex: 1, lastDecision: 'rolled back: error_rate 2.3% > 1%' });
    expect(rollout.lastVerdict).toEqual({ kind: 'breached', trigger: 'error_rate', numbers });
    expect(events).toEqual([{ type: 'rolled_back', fromPercent: 10, manual: false, trigger: 'error_rate', numbers }]);
    expect(needsPublish(events)).toBe(true);
  });

  it('describes latency and probe triggers against the rollout’s own limits', () => {
    const r = started({ health: { maxP95Ms: 400 } });
    expect(tickRollout(r, at(1), breached('p95', { p95Ms: 812.4 })).rollout.lastDecision).toBe('rolled back: p95 812 ms > 400 ms');
    expect(tickRollout(r, at(1), breached('p99', { p99Ms: 1500 })).rollout.lastDecision).toBe('rolled back: p99 1500 ms > 1000 ms');
    expect(tickRollout(r, at(1), breached('probes', { probeFailures: 5 })).rollout.lastDecision).toBe('rolled back: probes 5 failed ≥ 5');
  });

  it('rolls a paused rollout back too, closing the pause', () => {
    const paused = applyAction(started(), 'pause', why, at(2)).rollout;
    const { rollout, events } = tickRollout(paused, at(5), breached('p99', { p99Ms: 2000 }));
    expect(rollout).toMatchObject({ status: 'rolled_back', percent: 0, endedAt: at(5), pausedAt: null, pausedTotalMs: 3 * HOUR_MS });
    expect(events).toEqual([{ type: 'rolled_back', fromPercent: 5, manual: false, trigger: 'p99', numbers: { p99Ms: 2000 } }]);
  });

  it('rolls back during the bake', () => {
    const r = started({ strategy: 'instant' });
    expect(tickRollout(r, at(0.5), breached('p95', { p95Ms: 900 })).rollout).toMatchObject({ status: 'rolled_back', percent: 0 });
  });

  it('leaves an ended rollout exactly as it is', () => {
    const done = tickRollout(started({ strategy: 'instant' }), at(1), healthy()).rollout;
    const after = tickRollout(done, at(2), breached('error_rate', { errorRate: 0.5 }));
    expect(after.rollout).toBe(done);
    expect(after.events).toEqual([]);
    const aborted: Rollout = { ...started(), status: 'aborted', endedAt: at(1) };
    expect(tickRollout(aborted, at(30), healthy()).rollout).toBe(aborted);
    const rolledBack = tickRollout(started(), at(1), breached('probes', { probeFailures: 9 })).rollout;
    expect(tickRollout(rolledBack, at(30), healthy())).toEqual({ rollout: rolledBack, events: [] });
  });
});
