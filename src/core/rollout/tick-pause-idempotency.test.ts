import { describe, expect, it } from 'vitest';
import { applyAction } from './actions';
import { iso } from './format';
import { tickRollout } from './tick';
import { T0, at, breached, healthy, insufficient, started } from '../../../test/helpers/rollout-fixtures';

const why = { reason: 'test' };

describe('tickRollout: paused', () => {
  it('never promotes while paused but keeps recording the verdict', () => {
    const paused = applyAction(started(), 'pause', why, at(20)).rollout;
    const { rollout, events } = tickRollout(paused, at(30), healthy(800));
    expect(rollout).toMatchObject({ status: 'paused', stageIndex: 0, percent: 5, lastDecision: 'paused', lastTickAt: at(30) });
    expect(rollout.lastVerdict).toEqual(healthy(800).window);
    expect(events).toEqual([]);
  });

  it('shifts the schedule by the paused time', () => {
    let r = applyAction(started(), 'pause', why, at(10)).rollout;
    r = tickRollout(r, at(24), healthy()).rollout;
    r = applyAction(r, 'resume', why, at(24)).rollout; // paused 10 h → 24 h: 14 h
    const early = tickRollout(r, at(37), healthy());
    expect(early.rollout.percent).toBe(5);
    expect(early.rollout.lastDecision).toBe(`waiting: next stage 10% at ${iso(at(38))}`);
    const due = tickRollout(early.rollout, at(38), healthy());
    expect(due.rollout.percent).toBe(10);
    expect(due.rollout.lastDecision).toBe('promoted: 5% → 10% (stage 2 of 6)');
  });

  it('holds a finished bake while paused and completes after resuming', () => {
    let r = started({ strategy: 'instant' });
    r = applyAction(r, 'pause', why, at(0.5)).rollout;
    r = tickRollout(r, at(2), healthy()).rollout;
    expect(r.status).toBe('paused');
    r = applyAction(r, 'resume', why, at(3)).rollout;
    expect(tickRollout(r, at(3), healthy()).rollout.status).toBe('completed');
  });
});

describe('tickRollout: idempotency', () => {
  it('the same tick twice gives the same rollout and no new events', () => {
    const r = started();
    for (const hour of [3, 24, 48]) {
      const once = tickRollout(r, at(hour), healthy());
      const twice = tickRollout(once.rollout, at(hour), healthy());
      expect(twice.rollout).toEqual(once.rollout);
      expect(twice.events).toEqual([]);
    }
  });

  it('a repeated tick after a promotion does not promote again', () => {
    const once = tickRollout(started(), at(100), healthy());
    const twice = tickRollout(once.rollout, at(100), healthy());
    expect(twice.rollout.percent).toBe(10);
    expect(twice.rollout).toEqual(once.rollout);
  });

  it('holds even for custom stages that share a time', () => {
    const r = started({
      stages: [
        { percent: 5, afterSeconds: 0 },
        { percent: 10, afterSeconds: 0 },
        { percent: 25, afterSeconds: 0 },
        { percent: 100, afterSeconds: 0 },
      ],
      bakeSeconds: 60,
    });
    const once = tickRollout(r, T0, healthy());
    expect(once.rollout.percent).toBe(10);
    const twice = tickRollout(once.rollout, T0, healthy());
    expect(twice).toEqual({ rollout: once.rollout, events: [] });
    // A later tick moves on, one stage at a time.
    expect(tickRollout(twice.rollout, T0 + 1, healthy()).rollout.percent).toBe(25);
  });

  it('a repeat with other data records the verdict and changes nothing else', () => {
    const once = tickRollout(started(), at(24), insufficient(12));
    const retry = tickRollout(once.rollout, at(24), healthy());
    expect(retry.rollout).toEqual({ ...once.rollout, lastVerdict: healthy().window });
    expect(retry.events).toEqual([]);
  });

  it('an older tick arriving late does not act and does not move lastTickAt back', () => {
    const once = tickRollout(started(), at(30), healthy());
    const late = tickRollout(once.rollout, at(26), healthy());
    expect(late.rollout.lastTickAt).toBe(at(30));
    expect(late.rollout.percent).toBe(10);
    expect(late.events).toEqual([]);
  });

  it('a repeat that sees a breach still rolls back, and a third tick changes nothing', () => {
    const once = tickRollout(started(), at(24), healthy());
    const breach = tickRollout(once.rollout, at(24), breached('error_rate', { errorRate: 0.05 }));
    expect(breach.rollout.status).toBe('rolled_back');
    expect(tickRollout(breach.rollout, at(24), breached('error_rate', { errorRate: 0.05 }))).toEqual({ rollout: breach.rollout, events: [] });
  });

  it('does not mutate its input', () => {
    const r = started();
    const copy = structuredClone(r);
    tickRollout(r, at(24), healthy());
    tickRollout(r, at(24), breached('p95', { p95Ms: 900 }));
    expect(r).toEqual(copy);
  });
});
