import { pointer } from './json-pointer';

/**
 * How deep a config document (targeting, variant values, metadata) may nest. flagd has no limit,
 * but real rules stay far below it, and a bound keeps every recursive walk (zod, the targeting
 * compiler, structured clone) far from the engine's stack limit.
 */
export const MAX_JSON_DEPTH = 64;

/**
 * The JSON Pointer (RFC 6901) of the first value, in document order, nested deeper than
 * `maxDepth`, or null when none is. The root is at depth 0, its members and elements at depth 1,
 * and so on. Iterative, so no nesting can overflow the call stack, and it stops at the first
 * value too deep, so a hostile document costs at most `maxDepth` levels of work per branch.
 * Only own enumerable keys are walked: this reads what JSON.parse produced, never prototypes.
 */
export function firstTooDeep(value: unknown, maxDepth: number): string | null {
  return walk(value, (frame) => frame.depth > maxDepth);
}

interface Frame {
  value: unknown;
  depth: number;
  parent: Frame | null;
  key: string;
}

/**
 * Walks own enumerable members in document order without recursion, returning the JSON Pointer of
 * the first frame `stop` picks. Each frame links to its parent, so a pointer is only built for the
 * frame that is reported: the walk costs one frame per value, whatever the depth.
 */
function walk(value: unknown, stop: (frame: Frame) => boolean): string | null {
  const stack: Frame[] = [{ value, depth: 0, parent: null, key: '' }];
  while (stack.length > 0) {
    const frame = stack.pop()!;
    if (stop(frame)) return pointerOf(frame);
    const v = frame.value;
    if (typeof v !== 'object' || v === null) continue;
    const depth = frame.depth + 1;
    if (Array.isArray(v)) {
      for (let i = v.length - 1; i >= 0; i--) stack.push({ value: v[i], depth, parent: frame, key: String(i) });
    } else {
      const keys = Object.keys(v);
      for (let i = keys.length - 1; i >= 0; i--) {
        const key = keys[i]!;
        stack.push({ value: (v as Record<string, unknown>)[key], depth, parent: frame, key });
      }
    }
  }
  return null;
}

function pointerOf(frame: Frame): string {
  const keys: string[] = [];
  for (let f: Frame | null = frame; f?.parent; f = f.parent) keys.push(f.key);
  return pointer(...keys.reverse());
}

/**
 * The JSON Pointer of the first own `__proto__` key (JSON.parse creates one as a plain property),
 * or null. Zod's records and spreads would assign it, which sets the prototype or drops the entry,
 * so such a document is refused before anything reads it. One frame per value, like firstTooDeep.
 */
export function firstProtoKey(value: unknown): string | null {
  return walk(value, (frame) => frame.key === '__proto__' && frame.parent !== null && !Array.isArray(frame.parent.value));
}
