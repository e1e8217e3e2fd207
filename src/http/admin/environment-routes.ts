import type { Context } from 'hono';
import type { AuditQuery } from '../../coordinator/audit-log';
import { logEvent } from '../../log';
import { RollgateError } from '../errors';
import { type AdminEnv, inScope } from './admin-auth';
import type { Summary, SummaryResponse } from './api-types';
import { coordinator } from './coordinator-client';
import { isAuditCursor, limitParam } from './request';

/** GET /environments: a summary of each environment the token covers. */
export async function listEnvironments(c: Context<AdminEnv>): Promise<Response> {
  const token = c.get('admin');
  const envs = c.get('runtime').environments.filter((e) => inScope(token, e));
  // One coordinator that cannot answer must not hide the others: it is listed as unavailable.
  const settled = await Promise.allSettled(envs.map((env) => coordinator(c, env).summary()));
  const environments: Summary[] = [];
  const unavailable: NonNullable<SummaryResponse['unavailable']> = [];
  settled.forEach((r, i) => {
    if (r.status === 'fulfilled') return void environments.push(r.value);
    const error = r.reason instanceof Error ? `${r.reason.name}: ${r.reason.message}` : String(r.reason);
    logEvent({ event: 'summary_failed', environment: envs[i], message: error });
    unavailable.push({ environment: envs[i]!, error: 'the coordinator did not answer; see the Worker logs (summary_failed)' });
  });
  const answer: SummaryResponse = unavailable.length > 0 ? { environments, unavailable } : { environments };
  return c.json(answer);
}

/** The longest flag, action or actor filter an audit query takes. */
const MAX_FILTER_CHARS = 512;

/** GET /environments/{env}/audit: a page of the audit log, newest first. */
export async function auditPage(c: Context<AdminEnv>): Promise<Response> {
  const env = c.get('env');
  const limit = limitParam(c);
  const cursor = c.req.query('cursor');
  if (cursor !== undefined && !isAuditCursor(cursor)) throw new RollgateError(400, 'invalid_query', 'cursor must be a value returned as nextCursor');
  // Flag keys, actions and token names are short; a longer filter is a mistake or a probe.
  const text = (name: string) => {
    const value = c.req.query(name) || undefined;
    if (value !== undefined && value.length > MAX_FILTER_CHARS)
      throw new RollgateError(400, 'invalid_query', `${name} must be at most ${MAX_FILTER_CHARS} characters`);
    return value;
  };
  const query: AuditQuery = {
    limit,
    cursor,
    flag: text('flag'),
    action: text('action'),
    actor: text('actor'),
    since: instantParam(c, 'since'),
    until: instantParam(c, 'until'),
  };
  return c.json(await coordinator(c, env).auditPage(query));
}

/** An ISO 8601 instant from the query (`2026-11-28T09:00:00Z`), as ms; 400 for one that is not a date. */
function instantParam(c: Context<AdminEnv>, name: string): number | undefined {
  const raw = c.req.query(name);
  if (raw === undefined || raw === '') return undefined;
  const ms = raw.length <= 64 ? Date.parse(raw) : NaN;
  if (!Number.isFinite(ms)) throw new RollgateError(400, 'invalid_query', `${name} must be an ISO 8601 date-time, e.g. 2026-11-28T09:00:00Z`);
  return ms;
}
