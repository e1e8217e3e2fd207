import { Hono } from 'hono';
import { authenticateClient } from '../client-auth';
import { RollgateError } from '../errors';
import { readJsonBody } from '../read-json-body';
import type { AppEnv } from '../types';
import { BatchRejected, checkBatch } from './check-batch';

/** Metric batches may carry raw samples; 4 MiB bounds a full batch of small reports. */
const MAX_METRICS_BODY_BYTES = 4 * 1024 * 1024;

/** POST /v1/metrics: health reports from applications, authenticated by client key. */
export const metricsRoutes = new Hono<AppEnv>();

metricsRoutes.post('/', async (c) => {
  const now = c.get('now');
  let snapshot;
  try {
    snapshot = await authenticateClient(c.req.raw.headers, c.get('runtime'), c.env.FLAGS, now);
  } catch (err) {
    if (err instanceof RollgateError && err.status === 401) return c.body(null, 401);
    throw err;
  }
  const body = await readJsonBody(c.req.raw, MAX_METRICS_BODY_BYTES);
  let byFlag;
  try {
    byFlag = checkBatch(body, (flag) => snapshot.flags.variants.get(flag), now);
  } catch (err) {
    if (err instanceof BatchRejected) return c.json({ error: `${err.problems.length} bad reports; nothing was stored`, errors: err.problems }, 422);
    throw err;
  }
  const env = snapshot.environment;
  const results = await Promise.all(
    [...byFlag].map(([flag, deltas]) => c.env.METRICS.getByName(`${env}/${flag}`).ingest(deltas, now)),
  );
  return c.json({ accepted: results.reduce((n, r) => n + r.accepted, 0) }, 202);
});
