import { evaluateAll, evaluateFlag } from '../../core/flags/flag-set';
import { SCOPE_EVALUATE } from '../../core/key-scopes';
import { authenticateClient } from '../client-auth';
import { RollgateError } from '../errors';
import { ofrepLimitKey, overLimit, RETRY_AFTER_SECONDS } from '../rate-limit';
import { INVALID_CONTEXT, readJsonBody } from '../read-json-body';
import type { Runtime } from '../runtime';
import { etagOf, matchesIfNoneMatch } from './etag';
import { coloCache, latestSource } from './freshen';
import { contextOf } from './evaluation-request';
import { resolutionJson, statusOf } from './serialize';
import { eventStreamsJson } from './stream';

const JSON_TYPE = { 'content-type': 'application/json' };
const OFREP_BODY = { expected: '{"context": {...}}', extra: INVALID_CONTEXT };

/** What an OFREP evaluation needs from its request, wherever it was routed from (the router or the fast path). */
export interface EvaluationCall {
  request: Request;
  env: Env;
  /** The execution context's waitUntil, looked up only when used (the router's context has none in some tests). */
  waitUntil: (work: Promise<unknown>) => void;
  runtime: Runtime;
  now: number;
}

/** POST /ofrep/v1/evaluate/flags/{key}. Throws only what is not a RollgateError (the caller's 500). */
export async function evaluateSingle(call: EvaluationCall, key: string): Promise<Response> {
  const { request, env, runtime, now } = call;
  try {
    const { snapshot, index } = await authenticateClient(request.headers, runtime, env.FLAGS, now, SCOPE_EVALUATE);
    freshenFor(call, snapshot.environment);
    if (await overLimit(env.OFREP_RATE_LIMIT, 'OFREP_RATE_LIMIT', ofrepLimitKey(snapshot.keyIds[index]!, request.headers))) return limited();
    const context = contextOf(await readJsonBody(request, runtime.settings.maxBodyBytes, OFREP_BODY));
    const result = evaluateFlag(snapshot.flags, key, context, now);
    return new Response(resolutionJson(result), { status: statusOf(result), headers: JSON_TYPE });
  } catch (err) {
    return failure(err, { key });
  }
}

/** POST /ofrep/v1/evaluate/flags. Throws only what is not a RollgateError (the caller's 500). */
export async function evaluateBulk(call: EvaluationCall): Promise<Response> {
  const { request, env, runtime, now } = call;
  try {
    const { snapshot, index } = await authenticateClient(request.headers, runtime, env.FLAGS, now, SCOPE_EVALUATE);
    freshenFor(call, snapshot.environment);
    if (await overLimit(env.OFREP_RATE_LIMIT, 'OFREP_RATE_LIMIT', ofrepLimitKey(snapshot.keyIds[index]!, request.headers))) return limited();
    const context = contextOf(await readJsonBody(request, runtime.settings.maxBodyBytes, OFREP_BODY));
    const results = evaluateAll(snapshot.flags, context, now);
    let body = '{"flags":[';
    for (let i = 0; i < results.length; i++) body += (i ? ',' : '') + resolutionJson(results[i]!);
    body += `]${await eventStreamsJson(env.STREAM_TOKEN_SECRET, new URL(request.url).origin, snapshot, index, now)},"metadata":${JSON.stringify(snapshot.flags.metadata)}}`;
    const etag = await etagOf(body);
    if (matchesIfNoneMatch(request.headers.get('if-none-match'), etag)) {
      return new Response(null, { status: 304, headers: { etag } });
    }
    return new Response(body, { status: 200, headers: { ...JSON_TYPE, etag } });
  } catch (err) {
    return failure(err, {});
  }
}

/**
 * Starts the environment's fast version check when it is due, after the response (waitUntil):
 * the request itself pays a map lookup, never a KV read or a coordinator call.
 */
function freshenFor({ env, waitUntil, runtime, now }: EvaluationCall, environment: string): void {
  if (!runtime.fast.claim(environment, now)) return;
  waitUntil(runtime.fast.run(environment, () => latestSource(env, environment), coloCache(), now));
}

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
