import type { Context } from 'hono';
import type { Outcome } from '../../coordinator/outcome';

/** Answers an Outcome: the value as JSON, or the failure's status with `{ error, code, ...details }`. */
export function respond<T>(c: Context, out: Outcome<T>, status: 200 | 201 = 200, headers: Record<string, string> = {}): Response {
  if (out.ok) return c.json(out.value as object, status, headers);
  const details = typeof out.details === 'object' && out.details !== null ? out.details : out.details === undefined ? {} : { details: out.details };
  return c.json({ error: out.error, code: out.code, ...details }, out.status);
}
