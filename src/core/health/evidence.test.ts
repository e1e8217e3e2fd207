import { describe, expect, it } from 'vitest';
import type { GuardEvidence } from '../schema/guards';
import { describeEvidence } from './evidence';

const errors = (over: Partial<GuardEvidence>): GuardEvidence => ({
  guard: 'errors',
  evidence: 1,
  needed: 150,
  treatment: { requests: 3120, events: 59 },
  baseline: { requests: 59_300, events: 297 },
  ...over,
});

describe('describeEvidence', () => {
  it('reads as the issue shows it', () => {
    expect(describeEvidence(errors({ evidence: 47.2 }))).toBe('errors: treatment 1.9 % vs baseline 0.5 % (n = 3,120 / 59,300) — evidence 47 of 150 needed');
  });

  it('prints no exponents for vanishing evidence or rates: a better treatment drives the evidence towards 0, and a few errors in billions is next to none', () => {
    const text = describeEvidence(errors({ evidence: 1e-300, baseline: { requests: 3e15, events: 1 } }));
    expect(text).toBe('errors: treatment 1.9 % vs baseline < 0.001 % (n = 3,120 / 3,000,000,000,000,000) — evidence < 0.01 of 150 needed');
    expect(describeEvidence(errors({ evidence: 0 }))).toMatch(/evidence 0 of 150 needed$/);
  });
});
