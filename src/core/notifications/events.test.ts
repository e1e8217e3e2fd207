import { describe, expect, it } from 'vitest';
import { notificationEventsOf } from './events';

describe('notificationEventsOf', () => {
  it.each([
    ['rollout.auto_rolled_back', 'rollout.rolled_back'],
    ['rollout.rollback', 'rollout.rolled_back'],
    ['rollout.auto_promoted', 'rollout.promoted'],
    ['rollout.promote', 'rollout.promoted'],
    ['rollout.auto_completed', 'rollout.completed'],
    ['rollout.auto_held', 'rollout.held'],
    ['rollout.tick_failed', 'rollout.tick_failed'],
    ['config.put', 'config.changed'],
    ['config.revert', 'config.changed'],
    ['config.rollout_completed', 'config.changed'],
    ['key.revoke', 'key.revoked'],
  ])('maps %s to %s', (action, event) => {
    expect(notificationEventsOf(action, {})).toEqual([event]);
  });

  it.each([
    'rollout.start',
    'rollout.pause',
    'rollout.resume',
    'rollout.tick_recovered',
    'rollout.auto_bake_started',
    'key.issue',
    'snapshot.repaired',
    'toString',
  ])('notifies nobody of %s', (action) => {
    expect(notificationEventsOf(action, { events: [{ type: 'bake_started' }] })).toEqual([]);
  });

  it('adds rollout.completed when a transition completed the rollout under another action, once', () => {
    const diff = { events: [{ type: 'bake_started' }, { type: 'completed', percent: 100 }] };
    expect(notificationEventsOf('rollout.auto_bake_started', diff)).toEqual(['rollout.completed']);
    expect(notificationEventsOf('rollout.auto_promoted', diff)).toEqual(['rollout.promoted', 'rollout.completed']);
    expect(notificationEventsOf('rollout.auto_completed', diff)).toEqual(['rollout.completed']);
    // A config entry's diff is not a rollout's events.
    expect(notificationEventsOf('config.put', diff)).toEqual(['config.changed']);
  });

  it('reads a hostile diff without throwing', () => {
    for (const diff of [
      null,
      7,
      'x',
      { events: 'no' },
      { events: [null, 3, { type: { nested: 1 } }] },
      JSON.parse('{"__proto__": {"events": [{"type": "completed"}]}}'),
    ]) {
      expect(notificationEventsOf('rollout.auto_promoted', diff)).toEqual(['rollout.promoted']);
    }
  });
});
