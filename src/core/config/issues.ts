import type { z } from 'zod';

/** One validation finding, located by a JSON Pointer into the config document. */
export interface ConfigIssue {
  path: string;
  message: string;
}

/** Escapes one JSON Pointer segment (RFC 6901). */
export function pointerSegment(s: string | number): string {
  return String(s).replace(/~/g, '~0').replace(/\//g, '~1');
}

/** Joins segments into a JSON Pointer. */
export function pointer(...segments: (string | number)[]): string {
  return segments.map((s) => `/${pointerSegment(s)}`).join('');
}

/** Turns zod issues into config issues with JSON Pointer paths; an unknown key is reported at its own path. */
export function fromZod(error: z.ZodError, prefix = ''): ConfigIssue[] {
  return error.issues.flatMap((issue) => {
    const path = prefix + pointer(...issue.path.map((p) => (typeof p === 'symbol' ? String(p) : p)));
    if (issue.code === 'unrecognized_keys') {
      return issue.keys.map((key) => ({ path: path + pointer(key), message: `unknown key: ${key}` }));
    }
    return [{ path: path || '/', message: issue.message }];
  });
}
