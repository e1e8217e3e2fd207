/** What admin handlers read from a request: bodies, paging, If-Match and confirmation. */
import type { Context } from 'hono';
import { versionOfTag } from '../../core/api/config-version';
import { firstTooDeep, MAX_JSON_DEPTH } from '../../core/json-depth';
import { RollgateError } from '../errors';
import { readJsonBody } from '../read-json-body';

/** Admin request bodies may hold a whole config document. */
export const ADMIN_MAX_BODY_BYTES = 1024 * 1024;

/** Admin body errors carry no OFREP code: the admin onError answers `{ error, code }`. */
const ADMIN_BODY = { expected: 'a JSON document' };

/**
 * Reads an admin JSON body (1 MiB at most), refusing one nested deeper than MAX_JSON_DEPTH before
 * it is handed to the coordinator: copying it there, and every recursive walk after, would
 * overflow the stack long before validation could answer.
 */
export async function adminBody(c: Context): Promise<unknown> {
  const body = await readJsonBody(c.req.raw, ADMIN_MAX_BODY_BYTES, ADMIN_BODY);
  const deep = firstTooDeep(body, MAX_JSON_DEPTH);
  if (deep !== null) {
    const message = `nested deeper than ${MAX_JSON_DEPTH} levels`;
    throw new RollgateError(422, 'validation_failed', `the request body is ${message}`, { details: { errors: [{ path: deep, message }] } });
  }
  return body;
}

/** The `limit` query parameter of a page: 1 to 500, 50 when absent. */
export function limitParam(c: Context): number {
  const limit = Number(c.req.query('limit') ?? '50');
  if (!Number.isInteger(limit) || limit < 1 || limit > 500) throw new RollgateError(400, 'invalid_query', 'limit must be an integer from 1 to 500');
  return limit;
}

/** Whether `text` is an audit cursor as nextCursor gives it: an entry id, digits that make a safe integer (more would read as Infinity, past every id). */
export function isAuditCursor(text: string): boolean {
  return /^\d{1,16}$/.test(text) && Number.isSafeInteger(Number(text));
}

/** Parses If-Match: `"3"`, `W/"3"` or `3` → 3; `*` or absent → null (no check); garbage → -1 (never matches). */
export function ifMatchVersion(header: string | undefined): number | null {
  if (header === undefined || header.trim() === '*') return null;
  return versionOfTag(header) ?? -1;
}

/** Whether X-Rollgate-Confirm names this environment; the coordinator decides whether that is needed. */
export function confirmedFor(c: Context, env: string): boolean {
  return c.req.header('x-rollgate-confirm') === env;
}
