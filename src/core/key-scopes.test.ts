import { describe, expect, it } from 'vitest';
import { canonicalScopes, parseStoredScopes, SCOPE_EVALUATE, SCOPE_REPORT, scopeMask, storedScopes } from './key-scopes';

describe('key scopes', () => {
  it('absent scopes (older snapshots, FALLBACK_CLIENT_KEYS) read as evaluate-only', () => {
    expect(scopeMask(undefined)).toBe(SCOPE_EVALUATE);
    expect(scopeMask(undefined) & SCOPE_REPORT).toBe(0);
  });

  it('masks hold exactly the listed scopes', () => {
    expect(scopeMask(['evaluate'])).toBe(SCOPE_EVALUATE);
    expect(scopeMask(['report'])).toBe(SCOPE_REPORT);
    expect(scopeMask(['report', 'evaluate'])).toBe(SCOPE_EVALUATE | SCOPE_REPORT);
    expect(scopeMask(['report']) & SCOPE_EVALUATE).toBe(0);
  });

  it('stores and reads scopes in one canonical order', () => {
    expect(canonicalScopes(['report', 'evaluate', 'report'])).toEqual(['evaluate', 'report']);
    expect(storedScopes(['report', 'evaluate'])).toBe('evaluate,report');
    expect(parseStoredScopes('evaluate,report')).toEqual(['evaluate', 'report']);
    expect(parseStoredScopes('report')).toEqual(['report']);
  });

  it('stored text with nothing known reads as evaluate-only, never as report', () => {
    expect(parseStoredScopes('')).toEqual(['evaluate']);
    expect(parseStoredScopes('admin,__proto__')).toEqual(['evaluate']);
  });
});
