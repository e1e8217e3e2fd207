import { describe, expect, it } from 'vitest';
import { firstFailingGuard, perGuardAlpha } from './family';

describe('guard family', () => {
  it('splits α evenly across the guards that can roll back', () => {
    expect(perGuardAlpha(0.01, 1)).toBe(0.01);
    expect(perGuardAlpha(0.01, 3)).toBeCloseTo(0.01 / 3, 15);
    for (const [a, g] of [
      [0, 1],
      [1, 1],
      [0.01, 0],
      [0.01, 1.5],
      [Number.NaN, 2],
    ] as const)
      expect(() => perGuardAlpha(a, g)).toThrow(RangeError);
  });

  it('fails the first guard whose evidence reaches G/α, in order', () => {
    const need = Math.log(300); // 3 guards at α = 1 %
    expect(
      firstFailingGuard(
        [
          { name: 'errors', logEvidence: need - 0.01 },
          { name: 'p95', logEvidence: 0 },
          { name: 'p99', logEvidence: 0 },
        ],
        0.01,
      ),
    ).toBeNull();
    expect(
      firstFailingGuard(
        [
          { name: 'errors', logEvidence: Math.log(150) },
          { name: 'p95', logEvidence: need },
          { name: 'p99', logEvidence: need + 1 },
        ],
        0.01,
      ),
    ).toBe('p95');
    expect(firstFailingGuard([{ name: 'errors', logEvidence: Math.log(150) }], 0.01)).toBe('errors');
    expect(firstFailingGuard([], 0.01)).toBeNull();
  });
});
