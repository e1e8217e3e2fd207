import { Hono } from 'hono';
import { evaluateAll, evaluateFlag } from '../../core/flags/flag-set';
import { SCOPE_EVALUATE } from '../../core/key-scopes';
import { authenticateClient } from '../client-auth';
import { RollgateError } from '../errors';
import { ofrepLimitKey, overLimit, RETRY_AFTER_SECONDS } from '../rate-limit';
import { INVALID_CONTEXT, readJsonBody } from '../read-json-body';
import type { AppEnv } from '../types';
import { etagOf, matchesIfNoneMatch } from './etag';
import { freshen } from './freshen';
import { contextOf } from './evaluation-request';
import { resolutionJson, statusOf } from './serialize';
import { eventStreamsJson, streamResponse } from './stream';

const JSON_TYPE = { 'content-type': 'application/json' };
const OFREP_BODY = { expected: '{"context": {...}}', extra: INVALID_CONTEXT };

/** OFREP: single and bulk evaluation, authenticated by client key. */
export const ofrepRoutes = new Hono<AppEnv>();

ofrepRoutes.post('/evaluate/flags/:key', async (c) => {
  const key = c.req.param('key');
  const now = c.get('now');
  try {
    const { snapshot, index } = await authenticateClient(c.req.raw.headers, c.get('runtime'), c.env.FLAGS, now, SCOPE_EVALUATE);
    freshen(c, snapshot.environment);
    if (await overLimit(c.env.OFREP_RATE_LIMIT, 'OFREP_RATE_LIMIT', ofrepLimitKey(snapshot.keyIds[index]!, c.req.raw.headers))) return limited();
    const context = contextOf(await readJsonBody(c.req.raw, c.get('runtime').settings.maxBodyBytes, OFREP_BODY));
    const result = evaluateFlag(snapshot.flags, key, context, now);
    return new Response(resolutionJson(result), { status: statusOf(result), headers: JSON_TYPE });
  } catch (err) {
    return failure(err, { key });
  }
});

ofrepRoutes.post('/evaluate/flags', async (c) => {
  const now = c.get('now');
  try {
    const { snapshot, index } = await authenticateClient(c.req.raw.headers, c.get('runtime'), c.env.FLAGS, now, SCOPE_EVALUATE);
    freshen(c, snapshot.environment);
    if (await overLimit(c.env.OFREP_RATE_LIMIT, 'OFREP_RATE_LIMIT', ofrepLimitKey(snapshot.keyIds[index]!, c.req.raw.headers))) return limited();
    const context = contextOf(await readJsonBody(c.req.raw, c.get('runtime').settings.maxBodyBytes, OFREP_BODY));
    const results = evaluateAll(snapshot.flags, context, now);
    let body = '{"flags":[';
    for (let i = 0; i < results.length; i++) body += (i ? ',' : '') + resolutionJson(results[i]!);
    body += `]${await eventStreamsJson(c.env.STREAM_TOKEN_SECRET, new URL(c.req.url).origin, snapshot, index, now)},"metadata":${JSON.stringify(snapshot.flags.metadata)}}`;
    const etag = await etagOf(body);
    if (matchesIfNoneMatch(c.req.header('if-none-match') ?? null, etag)) {
      return new Response(null, { status: 304, headers: { etag } });
    }
    return new Response(body, { status: 200, headers: { ...JSON_TYPE, etag } });
  } catch (err) {
    return failure(err, {});
  }
});

/** OFREP event stream (SSE): the URL comes from the bulk response's `eventStreams`. */
ofrepRoutes.get('/stream', (c) => streamResponse(c, c.get('streams'), c.get('clock')));

/** OFREP's 429: no body, Retry-After in seconds (OFREP providers back off and keep their cached values). */
function limited(): Response {
  return new Response(null, { status: 429, headers: { 'retry-after': String(RETRY_AFTER_SECONDS) } });
}

/** OFREP failure bodies; 401/403 carry none, so nothing hints at which keys exist. */
function failure(err: unknown, base: { key?: string }): Response {
  if (!(err instanceof RollgateError)) throw err;
  if (err.status === 401 || err.status === 403) {
    return new Response(null, { status: err.status, headers: { 'www-authenticate': 'Bearer' } });
  }
  const body = { ...base, errorCode: err.errorCode ?? 'GENERAL', errorDetails: err.publicMessage };
  return new Response(JSON.stringify(body), { status: err.status, headers: JSON_TYPE });
}
