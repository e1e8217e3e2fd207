import { Hono } from 'hono';
import { RollgateError } from '../errors';
import { logEvent } from '../../log';
import type { AppEnv } from '../types';
import { authenticateAdmin, authorizeAdmin, inScope } from './admin-auth';
import { configRoutes } from './config-routes';
import { keyRoutes } from './key-routes';
import { notificationRoutes } from './notification-routes';
import { coordinator, environmentParam } from './respond';
import { rolloutRoutes } from './rollout-routes';

/** The admin API, mounted at /admin/v1. */
export const adminRoutes = new Hono<AppEnv>();

// Authentication comes before anything else: without a valid token every admin request is 401,
// so unknown environments, rollout actions and routes cannot be told apart from known ones.
adminRoutes.use('*', async (c, next) => {
  await authenticateAdmin(c.req.raw.headers, c.get('runtime').settings.adminTokens);
  await next();
});

adminRoutes.get('/environments', async (c) => {
  const token = await authorizeAdmin(c.req.raw.headers, c.get('runtime').settings.adminTokens, null, 'viewer');
  const envs = c.get('runtime').environments.filter((e) => inScope(token, e));
  // One coordinator that cannot answer must not hide the others: it is listed as unavailable.
  const settled = await Promise.allSettled(envs.map((env) => coordinator(c, env).summary(env)));
  const environments: unknown[] = [];
  const unavailable: Array<{ environment: string; error: string }> = [];
  settled.forEach((r, i) => {
    if (r.status === 'fulfilled') return void environments.push(r.value);
    const error = r.reason instanceof Error ? `${r.reason.name}: ${r.reason.message}` : String(r.reason);
    logEvent({ event: 'summary_failed', environment: envs[i], message: error });
    unavailable.push({ environment: envs[i]!, error: 'the coordinator did not answer; see the Worker logs (summary_failed)' });
  });
  return c.json(unavailable.length > 0 ? { environments, unavailable } : { environments });
});

adminRoutes.get('/environments/:env/audit', async (c) => {
  const env = environmentParam(c);
  await authorizeAdmin(c.req.raw.headers, c.get('runtime').settings.adminTokens, env, 'viewer');
  const limit = Number(c.req.query('limit') ?? '50');
  if (!Number.isInteger(limit) || limit < 1 || limit > 500) throw new RollgateError(400, 'limit must be an integer from 1 to 500');
  const cursor = c.req.query('cursor');
  if (cursor !== undefined && !/^\d+$/.test(cursor)) throw new RollgateError(400, 'cursor must be a value returned as nextCursor');
  const query: { limit: number; cursor?: string; flag?: string; action?: string } = { limit };
  if (cursor) query.cursor = cursor;
  const flag = c.req.query('flag');
  if (flag) query.flag = flag;
  const action = c.req.query('action');
  if (action) query.action = action;
  return c.json(await coordinator(c, env).auditPage(env, query));
});

adminRoutes.route('/environments/:env/flags', configRoutes);
adminRoutes.route('/environments/:env/rollouts', rolloutRoutes);
adminRoutes.route('/environments/:env/keys', keyRoutes);
adminRoutes.route('/environments/:env/notifications', notificationRoutes);
