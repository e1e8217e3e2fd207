import { Hono } from 'hono';
import { RollgateError } from '../errors';
import type { AppEnv } from '../types';
import { authorizeAdmin } from './admin-auth';
import { adminBody, confirmedFor, coordinator, environmentParam, respond } from './respond';

/** Rollouts of one environment: list, start, inspect, operator actions. */
export const rolloutRoutes = new Hono<AppEnv>();

const ACTIONS = new Set(['promote', 'pause', 'resume', 'rollback']);

rolloutRoutes.get('/', async (c) => {
  const env = environmentParam(c);
  await authorizeAdmin(c.req.raw.headers, c.get('runtime').settings.adminTokens, env, 'viewer');
  return c.json({ rollouts: await coordinator(c, env).listRollouts(env, c.req.query('status')) });
});

rolloutRoutes.post('/', async (c) => {
  const env = environmentParam(c);
  const token = await authorizeAdmin(c.req.raw.headers, c.get('runtime').settings.adminTokens, env, 'operator');
  const body = await adminBody(c);
  return respond(c, await coordinator(c, env).startRollout(env, body, token.name, c.get('now'), confirmedFor(c, env)), 201);
});

rolloutRoutes.get('/:id', async (c) => {
  const env = environmentParam(c);
  await authorizeAdmin(c.req.raw.headers, c.get('runtime').settings.adminTokens, env, 'viewer');
  return respond(c, await coordinator(c, env).getRollout(env, c.req.param('id')));
});

rolloutRoutes.post('/:id/:action', async (c) => {
  const env = environmentParam(c);
  const action = c.req.param('action');
  if (!ACTIONS.has(action)) throw new RollgateError(404, `unknown action "${action}"; use promote, pause, resume or rollback`);
  const token = await authorizeAdmin(c.req.raw.headers, c.get('runtime').settings.adminTokens, env, 'operator');
  const body = await adminBody(c);
  const out = await coordinator(c, env).rolloutAction(env, c.req.param('id'), action as 'promote', body, token.name, c.get('now'), confirmedFor(c, env));
  return respond(c, out);
});
