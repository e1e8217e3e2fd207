import { firstIssue } from '../config/issues';
import { firstProtoKey, firstTooDeep } from '../json-depth';
import { type PublishedFlag, zPublishedFlag } from '../schema/flag';

/**
 * Nesting a flag may have below the flag itself: the snapshot's bound (100 from its root) less
 * the root and the `flags` level above a flag.
 */
const MAX_FLAG_DEPTH = 98;

/**
 * A flag read from a snapshot (outside data: KV), when it is a valid published flag within the
 * bounds, else why not. The bounds come first: zod walks nesting recursively, and its copy would
 * turn a `"__proto__"` key into a prototype. Every reader of a snapshot's flag goes through this
 * (the lazy compile, the break-glass overrides).
 */
export function checkFlag(raw: unknown): PublishedFlag | string {
  const tooDeep = firstTooDeep(raw, MAX_FLAG_DEPTH);
  if (tooDeep !== null) return `nested deeper than ${MAX_FLAG_DEPTH} levels at ${tooDeep}`;
  const proto = firstProtoKey(raw);
  if (proto !== null) return `a "__proto__" key at ${proto}`;
  const parsed = zPublishedFlag.safeParse(raw);
  return parsed.success ? parsed.data : `at ${firstIssue(parsed.error)}`;
}
