import { pointer } from './config/issues';

/**
 * How deep a config document (targeting, variant values, metadata) may nest. flagd has no limit,
 * but real rules stay far below it, and a bound keeps every recursive walk (zod, the targeting
 * compiler, structured clone) far from the engine's stack limit.
 */
export const MAX_JSON_DEPTH = 64;

/**
 * The JSON Pointer of the first value nested deeper than `maxDepth` (the document itself is depth
 * 0, its members depth 1), or null when none is. Iterative, so it cannot overflow the stack on
 * the very documents it exists to refuse; it stops at the first too-deep value it meets.
 */
export function firstTooDeep(value: unknown, maxDepth: number): string | null {
  const stack: Array<{ value: unknown; depth: number; path: readonly (string | number)[] }> = [{ value, depth: 0, path: [] }];
  while (stack.length > 0) {
    const { value: v, depth, path } = stack.pop()!;
    if (typeof v !== 'object' || v === null) continue;
    if (depth + 1 > maxDepth) {
      const entries = Array.isArray(v) ? v.map((x, i) => [i, x] as const) : Object.entries(v);
      // A container at the limit is fine while empty; its first member is the too-deep value.
      if (entries.length > 0) return pointer(...path, entries[0]![0]);
      continue;
    }
    if (Array.isArray(v)) {
      for (let i = v.length - 1; i >= 0; i--) stack.push({ value: v[i], depth: depth + 1, path: [...path, i] });
    } else {
      const entries = Object.entries(v);
      for (let i = entries.length - 1; i >= 0; i--) stack.push({ value: entries[i]![1], depth: depth + 1, path: [...path, entries[i]![0]] });
    }
  }
  return null;
}

/**
 * The JSON Pointer of the first own `__proto__` key (JSON.parse creates one as a plain property),
 * or null. Zod's records and spreads would assign it, which sets the prototype or drops the entry,
 * so such a document is refused before anything reads it. Iterative, like firstTooDeep.
 */
export function firstProtoKey(value: unknown): string | null {
  const stack: Array<{ value: unknown; path: readonly (string | number)[] }> = [{ value, path: [] }];
  while (stack.length > 0) {
    const { value: v, path } = stack.pop()!;
    if (typeof v !== 'object' || v === null) continue;
    if (Array.isArray(v)) {
      for (let i = v.length - 1; i >= 0; i--) stack.push({ value: v[i], path: [...path, i] });
      continue;
    }
    if (Object.hasOwn(v, '__proto__')) return pointer(...path, '__proto__');
    const entries = Object.entries(v);
    for (let i = entries.length - 1; i >= 0; i--) stack.push({ value: entries[i]![1], path: [...path, entries[i]![0]] });
  }
  return null;
}
