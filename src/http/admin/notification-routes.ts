import { Hono } from 'hono';
import { RollgateError } from '../errors';
import type { AppEnv } from '../types';
import { authorizeAdmin } from './admin-auth';
import { coordinator, environmentParam } from './respond';

/** Notification deliveries of one environment: recent ones with their attempts (`?failed=true`, `?limit=`). */
export const notificationRoutes = new Hono<AppEnv>();

notificationRoutes.get('/', async (c) => {
  const env = environmentParam(c);
  await authorizeAdmin(c.req.raw.headers, c.get('runtime').settings.adminTokens, env, 'viewer');
  const limit = Number(c.req.query('limit') ?? '50');
  if (!Number.isInteger(limit) || limit < 1 || limit > 500) throw new RollgateError(400, 'limit must be an integer from 1 to 500');
  const failed = c.req.query('failed');
  if (failed !== undefined && failed !== 'true' && failed !== 'false') throw new RollgateError(400, 'failed must be true or false');
  return c.json(await coordinator(c, env).notifications(env, { failed: failed === 'true', limit }), 200, { 'cache-control': 'no-store' });
});
