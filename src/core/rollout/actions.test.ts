import { describe, expect, it } from 'vitest';
import type { Rollout } from '../schema/rollout';
import { type RolloutActionName, ROLLOUT_ACTIONS, applyAction, needsConfirmation } from './actions';
import { iso } from './format';
import { HOUR_MS, at, breached, healthy, started } from '../../../test/helpers/rollout-fixtures';
import { tickRollout } from './tick';

const why = { reason: 'looks good' };

describe('applyAction: promote', () => {
  it('advances one stage now, marked manual, and keeps the schedule anchored to the start', () => {
    const { rollout, events, changed } = applyAction(started(), 'promote', why, at(2));
    expect(changed).toBe(true);
    expect(rollout).toMatchObject({ stageIndex: 1, percent: 10, status: 'running', lastDecision: 'promoted by operator: 5% → 10% (stage 2 of 6): looks good' });
    expect(events).toEqual([{ type: 'promoted', fromPercent: 5, toPercent: 10, stageIndex: 1, manual: true, reason: 'looks good' }]);
    // The next stage is still due at 48 h, not 24 h after the manual promotion.
    expect(tickRollout(rollout, at(47), healthy()).rollout.percent).toBe(10);
    expect(tickRollout(rollout, at(48), healthy()).rollout.percent).toBe(25);
  });

  it('entering the last stage starts the bake', () => {
    let r = started();
    for (let i = 0; i < 4; i++) r = applyAction(r, 'promote', why, at(1)).rollout;
    expect(r.percent).toBe(75);
    const { rollout, events } = applyAction(r, 'promote', why, at(3));
    expect(rollout).toMatchObject({ stageIndex: 5, percent: 100, bakeStartedAt: at(3) });
    expect(events.map((e) => e.type)).toEqual(['promoted', 'bake_started']);
    expect(events[1]).toEqual({ type: 'bake_started', percent: 100, endsAt: at(51) });
    expect(rollout.lastDecision).toBe(`promoted by operator: 75% → 100% (stage 6 of 6); baking until ${iso(at(51))}: looks good`);
  });

  it('works while paused and stays paused', () => {
    const paused = applyAction(started(), 'pause', why, at(1)).rollout;
    const { rollout, changed } = applyAction(paused, 'promote', why, at(2));
    expect(changed).toBe(true);
    expect(rollout).toMatchObject({ status: 'paused', stageIndex: 1, percent: 10, pausedAt: at(1) });
  });

  it('with fromStage: applies once, then the retry is a no-op', () => {
    const r = started();
    const first = applyAction(r, 'promote', { ...why, fromStage: 0 }, at(2));
    expect(first.rollout.stageIndex).toBe(1);
    const retry = applyAction(first.rollout, 'promote', { ...why, fromStage: 0 }, at(2));
    expect(retry).toMatchObject({ changed: false, events: [] });
    expect(retry.rollout).toBe(first.rollout);
    expect(retry.note).toContain('stage 1');
  });

  it('refuses a stale fromStage even when it lies ahead', () => {
    const r = started();
    expect(applyAction(r, 'promote', { ...why, fromStage: 3 }, at(2))).toMatchObject({ changed: false, rollout: r, events: [] });
  });

  it('does nothing at the last stage', () => {
    const r = started({ strategy: 'instant' });
    const result = applyAction(r, 'promote', why, at(0.5));
    expect(result).toEqual({ rollout: r, events: [], changed: false, note: 'the rollout is at its last stage' });
  });
});

describe('applyAction: pause and resume', () => {
  it('pause stops a running rollout; resume adds the paused time to the total', () => {
    const paused = applyAction(started(), 'pause', { reason: 'incident' }, at(5));
    expect(paused.changed).toBe(true);
    expect(paused.rollout).toMatchObject({ status: 'paused', pausedAt: at(5), lastDecision: 'paused by operator: incident' });
    expect(paused.events).toEqual([{ type: 'paused', reason: 'incident' }]);

    const resumed = applyAction(paused.rollout, 'resume', { reason: 'fixed' }, at(8));
    expect(resumed.changed).toBe(true);
    expect(resumed.rollout).toMatchObject({ status: 'running', pausedAt: null, pausedTotalMs: 3 * HOUR_MS });
    expect(resumed.events).toEqual([{ type: 'resumed', pausedMs: 3 * HOUR_MS, reason: 'fixed' }]);
  });

  it('resume on a running rollout and pause on a paused one change nothing', () => {
    const r = started();
    expect(applyAction(r, 'resume', why, at(1))).toMatchObject({ changed: false, rollout: r, events: [] });
    const paused = applyAction(r, 'pause', why, at(1)).rollout;
    expect(applyAction(paused, 'pause', why, at(2))).toMatchObject({ changed: false, rollout: paused, events: [] });
  });
});

describe('applyAction: rollback', () => {
  it('sends a running rollout to 0 % with the operator’s reason', () => {
    const at10 = tickRollout(started(), at(24), healthy()).rollout;
    const { rollout, events, changed } = applyAction(at10, 'rollback', { reason: 'support tickets' }, at(30));
    expect(changed).toBe(true);
    expect(rollout).toMatchObject({ status: 'rolled_back', percent: 0, endedAt: at(30), lastDecision: 'rolled back by operator: support tickets' });
    expect(events).toEqual([{ type: 'rolled_back', fromPercent: 10, manual: true, reason: 'support tickets' }]);
  });

  it('rolls back a paused rollout and closes the pause', () => {
    const paused = applyAction(started(), 'pause', why, at(1)).rollout;
    expect(applyAction(paused, 'rollback', why, at(4)).rollout).toMatchObject({
      status: 'rolled_back',
      percent: 0,
      pausedAt: null,
      pausedTotalMs: 3 * HOUR_MS,
    });
  });
});

describe('applyAction: idempotency and ended rollouts', () => {
  const actions: RolloutActionName[] = ['promote', 'pause', 'resume', 'rollback'];

  it('each action repeated returns the current state with changed:false and no events', () => {
    const running = started();
    const paused = applyAction(running, 'pause', why, at(1)).rollout;
    const cases: [RolloutActionName, Rollout, { reason: string; fromStage?: number }][] = [
      ['promote', running, { ...why, fromStage: 0 }],
      ['pause', running, why],
      ['resume', paused, why],
      ['rollback', running, why],
    ];
    for (const [action, from, body] of cases) {
      const once = applyAction(from, action, body, at(2));
      expect(once.changed, action).toBe(true);
      const twice = applyAction(once.rollout, action, body, at(2));
      expect({ action, changed: twice.changed, events: twice.events, same: twice.rollout === once.rollout }).toEqual({
        action,
        changed: false,
        events: [],
        same: true,
      });
    }
  });

  it('no action changes a completed, rolled back or aborted rollout', () => {
    const completed = tickRollout(started({ strategy: 'instant' }), at(1), healthy()).rollout;
    const rolledBack = tickRollout(started(), at(1), breached('p95', { p95Ms: 900 })).rollout;
    const aborted: Rollout = { ...started(), status: 'aborted', endedAt: at(1) };
    for (const ended of [completed, rolledBack, aborted]) {
      for (const action of actions) {
        const result = applyAction(ended, action, why, at(5));
        expect({ status: ended.status, action, changed: result.changed, events: result.events }).toEqual({
          status: ended.status,
          action,
          changed: false,
          events: [],
        });
        expect(result.rollout).toBe(ended);
      }
    }
  });

  it('does not mutate its input', () => {
    const r = started();
    const copy = structuredClone(r);
    for (const action of actions) applyAction(r, action, why, at(3));
    expect(r).toEqual(copy);
  });
});

describe('needsConfirmation', () => {
  it('asks for actions that raise exposure, never for rollback or pause', () => {
    expect(Object.fromEntries(ROLLOUT_ACTIONS.map((a) => [a, needsConfirmation(a)]))).toEqual({ promote: true, resume: true, pause: false, rollback: false });
  });
});
