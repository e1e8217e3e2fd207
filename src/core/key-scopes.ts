import type { KeyScope } from './schema/snapshot';

/**
 * Scopes as bits, so the edge checks a key's scope with one AND on the hot path.
 * `evaluate` is safe to ship in a browser; `report` writes health signals and stays server-side.
 */
export const SCOPE_EVALUATE = 1;
export const SCOPE_REPORT = 2;

/** Every scope in canonical order: how scopes are stored, published and listed. */
export const KEY_SCOPES = ['evaluate', 'report'] as const satisfies readonly KeyScope[];

/** What a key without scopes may do: keys issued before scopes existed, and FALLBACK_CLIENT_KEYS. */
export const DEFAULT_SCOPES: readonly KeyScope[] = ['evaluate'];

/** The bitmask of a key's scopes; absent scopes read as evaluate-only. */
export function scopeMask(scopes: readonly KeyScope[] | undefined): number {
  if (scopes === undefined) return SCOPE_EVALUATE;
  let mask = 0;
  for (const s of scopes) mask |= s === 'evaluate' ? SCOPE_EVALUATE : s === 'report' ? SCOPE_REPORT : 0;
  return mask;
}

/** Scopes in canonical order without duplicates, so equal sets compare equal as text. */
export function canonicalScopes(scopes: readonly KeyScope[]): KeyScope[] {
  return KEY_SCOPES.filter((s) => scopes.includes(s));
}

/** Reads the stored text form (`evaluate,report`); unknown words are dropped, nothing left reads as evaluate-only. */
export function parseStoredScopes(text: string): KeyScope[] {
  const known = canonicalScopes(text.split(',').map((s) => s.trim()) as KeyScope[]);
  return known.length > 0 ? known : [...DEFAULT_SCOPES];
}

/** The stored text form of scopes. */
export function storedScopes(scopes: readonly KeyScope[]): string {
  return canonicalScopes(scopes).join(',');
}
