import { pointer } from '../json-pointer';
import type * as z from '../schema/zod';

/** One validation finding, located by a JSON Pointer into the config document. */
export interface ConfigIssue {
  path: string;
  message: string;
}

/** Turns zod issues into config issues with JSON Pointer paths; an unknown key is reported at its own path. */
export function fromZod(error: z.core.$ZodError, prefix = ''): ConfigIssue[] {
  return fromIssues(error.issues, prefix);
}

function fromIssues(issues: readonly z.core.$ZodIssue[], prefix: string): ConfigIssue[] {
  return issues.flatMap((issue): ConfigIssue[] => {
    const path = prefix + pointer(...issue.path.map((p) => (typeof p === 'symbol' ? String(p) : p)));
    if (issue.code === 'unrecognized_keys') {
      return issue.keys.map((key) => ({ path: path + pointer(key), message: `unknown key: ${key}` }));
    }
    if (issue.code === 'invalid_key') return fromIssues(issue.issues, path).map((i) => ({ ...i, message: `invalid key: ${i.message}` }));
    if (issue.code === 'invalid_union') {
      // The one option whose type matched (its issues are deeper than the union itself) says what is wrong, not "Invalid input".
      const matched = issue.errors.filter((branch) => !branch.every((i) => i.code === 'invalid_type' && i.path.length === 0));
      if (matched.length === 1) return fromIssues(matched[0]!, path);
    }
    return [{ path: path || '/', message: issue.message }];
  });
}

/** The first issue of a zod error as one line, `<JSON Pointer>: <message>` (below `prefix`), for logs and one-line errors. */
export function firstIssue(error: z.core.$ZodError, prefix = ''): string {
  const first = fromZod(error, prefix)[0];
  return first ? `${first.path}: ${first.message}` : 'invalid';
}
