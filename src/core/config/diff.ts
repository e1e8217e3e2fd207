import { ownValue, type JsonValue } from '../json';
import type { RollgateConfig } from '../schema/config';

/** One changed part of a config: a flag (added, removed or changed), or a top-level section. */
export interface ConfigChange {
  /** A flag key, or a top-level field such as "$evaluators" prefixed with "/". */
  target: string;
  change: 'added' | 'removed' | 'changed';
  before?: JsonValue;
  after?: JsonValue;
}

const SECTIONS = ['environments', '$evaluators', 'metadata'] as const;

/** The per-flag (and per-section) difference between two configs; `before` null means empty. */
export function diffConfigs(before: RollgateConfig | null, after: RollgateConfig): ConfigChange[] {
  const out: ConfigChange[] = [];
  const prevFlags = before?.flags ?? {};
  for (const [key, flag] of Object.entries(after.flags)) {
    const prev = ownValue(prevFlags, key);
    if (prev === undefined) out.push({ target: key, change: 'added', after: flag });
    else if (!sameJson(prev, flag)) out.push({ target: key, change: 'changed', before: prev, after: flag });
  }
  for (const [key, flag] of Object.entries(prevFlags)) {
    if (!Object.hasOwn(after.flags, key)) out.push({ target: key, change: 'removed', before: flag });
  }
  for (const section of SECTIONS) {
    const a = before?.[section] as JsonValue | undefined;
    const b = after[section] as JsonValue | undefined;
    if (sameJson(a, b)) continue;
    const change: ConfigChange = { target: `/${section}`, change: a === undefined ? 'added' : b === undefined ? 'removed' : 'changed' };
    if (a !== undefined) change.before = a;
    if (b !== undefined) change.after = b;
    out.push(change);
  }
  return out;
}

/** Structural equality of JSON values, ignoring object key order. */
export function sameJson(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  if (Array.isArray(a)) {
    const bb = b as unknown[];
    return a.length === bb.length && a.every((v, i) => sameJson(v, bb[i]));
  }
  const ka = Object.keys(a);
  const kb = Object.keys(b);
  return ka.length === kb.length && ka.every((k) => Object.hasOwn(b, k) && sameJson((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k]));
}
