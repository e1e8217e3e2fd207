import { Hono } from 'hono';
import { SCOPE_REPORT } from '../../core/key-scopes';
import { authenticateClient } from '../client-auth';
import { errorBody, RollgateError } from '../errors';
import { logEvent } from '../../log';
import { overLimit, RETRY_AFTER_SECONDS } from '../rate-limit';
import { readJsonBody } from '../read-json-body';
import type { AppEnv } from '../types';
import { BatchRejected, checkBatch } from './check-batch';

/** Metric batches may carry raw samples; 4 MiB bounds a full batch of small reports. */
const MAX_METRICS_BODY_BYTES = 4 * 1024 * 1024;

/** Metrics body errors carry no OFREP code: this API answers `{ error, code }`. */
const METRICS_BODY = { expected: '{"reports": [...]}' };

/** POST /v1/metrics: health reports from applications, authenticated by a client key with the `report` scope. */
export const metricsRoutes = new Hono<AppEnv>();

metricsRoutes.post('/', async (c) => {
  const now = c.get('now');
  let match;
  try {
    match = await authenticateClient(c.req.raw.headers, c.get('runtime'), c.env.FLAGS, now, SCOPE_REPORT);
  } catch (err) {
    if (err instanceof RollgateError && err.status === 401) return c.body(null, 401);
    // A known key without `report` (e.g. a browser key): say which scope is missing.
    if (err instanceof RollgateError && err.status === 403) return c.json(errorBody(err), 403);
    throw err;
  }
  const { snapshot, index } = match;
  // Limited before the body is read: an over-limit client costs no parsing and no shard call.
  if (await overLimit(c.env.METRICS_RATE_LIMIT, 'METRICS_RATE_LIMIT', snapshot.keyIds[index]!)) {
    return c.json({ error: `too many metric batches for this key; retry after ${RETRY_AFTER_SECONDS} s`, code: 'rate_limited' }, 429, {
      'retry-after': String(RETRY_AFTER_SECONDS),
    });
  }
  const body = await readJsonBody(c.req.raw, MAX_METRICS_BODY_BYTES, METRICS_BODY);
  let byFlag;
  try {
    byFlag = checkBatch(body, (flag) => snapshot.flags.variants.get(flag), now);
  } catch (err) {
    if (err instanceof BatchRejected)
      return c.json({ error: `${err.problems.length} bad reports; nothing was stored`, code: 'validation_failed', errors: err.problems }, 422);
    throw err;
  }
  const env = snapshot.environment;
  const results = await Promise.all([...byFlag].map(([flag, deltas]) => c.env.METRICS.getByName(`${env}/${flag}`).ingest(deltas, now)));
  return c.json({ accepted: results.reduce((n, r) => n + r.accepted, 0) }, 202);
});

// A mounted app's notFound is not consulted by Hono; a last catch-all gives this API's 404 shape.
metricsRoutes.all('*', (c) => {
  throw new RollgateError(404, 'not_found', `no route for ${c.req.method} ${new URL(c.req.url).pathname}`);
});

metricsRoutes.onError((err, c) => {
  if (err instanceof RollgateError) return c.json(errorBody(err), err.status);
  logEvent({ event: 'unhandled_error', path: new URL(c.req.url).pathname, name: err.name, message: err.message });
  return c.json({ error: 'internal error; see the Worker logs (unhandled_error)', code: 'internal_error' }, 500);
});
