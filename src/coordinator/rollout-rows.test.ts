import { describe, expect, it } from 'vitest';
import { planFor, startRollout } from '../core/rollout';
import { isBroken, parseRow } from './rollout-rows';

function rollout() {
  const planned = planFor({ flag: 'f', variant: 'on', strategy: 'safe' });
  if (!planned.ok) throw new Error('plan');
  return startRollout('ro_1', { flag: 'f', variant: 'on', strategy: 'safe', baselineVariant: 'off' }, planned.plan, 1_800_000_000_000);
}

const row = (data: string) => ({ id: 'ro_1', flag: 'f', status: 'running', data });

describe('parseRow', () => {
  it('parses a stored rollout', () => {
    const r = rollout();
    const parsed = parseRow(row(JSON.stringify(r)));
    expect(isBroken(parsed)).toBe(false);
    expect(parsed).toEqual(r);
  });

  it('returns a broken entry, from the columns, instead of throwing', () => {
    const r = rollout();
    // Issue 9: an infinite P95 stored as null through JSON.
    const bad = JSON.stringify({ ...r, lastVerdict: { kind: 'healthy', numbers: { p95Ms: Infinity } } });
    const parsed = parseRow(row(bad));
    expect(parsed).toEqual({
      id: 'ro_1',
      flag: 'f',
      status: 'running',
      broken: expect.stringMatching(/^stored row does not parse at \/lastVerdict\/numbers\/p95Ms: /),
    });
    expect(isBroken(parsed)).toBe(true);
    expect(parseRow(row('{"id":'))).toEqual({ id: 'ro_1', flag: 'f', status: 'running', broken: 'stored row is not JSON' });
  });
});
