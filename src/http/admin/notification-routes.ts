import type { Context } from 'hono';
import { RollgateError } from '../errors';
import type { AdminEnv } from './admin-auth';
import { coordinator } from './coordinator-client';
import { limitParam } from './request';

/** Notification deliveries of one environment: recent ones with their attempts (`?failed=true`, `?limit=`). */
export async function listNotifications(c: Context<AdminEnv>): Promise<Response> {
  const env = c.get('env');
  const limit = limitParam(c);
  const failed = c.req.query('failed');
  if (failed !== undefined && failed !== 'true' && failed !== 'false') throw new RollgateError(400, 'invalid_query', 'failed must be true or false');
  return c.json(await coordinator(c, env).notifications({ failed: failed === 'true', limit }), 200, { 'cache-control': 'no-store' });
}
