import { Hono } from 'hono';
import type { AppEnv } from '../types';
import { authorizeAdmin } from './admin-auth';
import { adminBody, confirmedFor, coordinator, environmentParam, respond } from './respond';

/** Client keys of one environment: list (never secrets), issue (secret shown once) and revoke. */
export const keyRoutes = new Hono<AppEnv>();

keyRoutes.get('/', async (c) => {
  const env = environmentParam(c);
  await authorizeAdmin(c.req.raw.headers, c.get('runtime').settings.adminTokens, env, 'viewer');
  return c.json(await coordinator(c, env).listKeys(env), 200, { 'cache-control': 'no-store' });
});

keyRoutes.post('/', async (c) => {
  const env = environmentParam(c);
  const token = await authorizeAdmin(c.req.raw.headers, c.get('runtime').settings.adminTokens, env, 'operator');
  const out = await coordinator(c, env).issueKey(env, await adminBody(c), token.name, c.get('now'), confirmedFor(c, env));
  return respond(c, out, out.ok && out.value.changed ? 201 : 200, { 'cache-control': 'no-store' });
});

keyRoutes.delete('/:name', async (c) => {
  const env = environmentParam(c);
  const token = await authorizeAdmin(c.req.raw.headers, c.get('runtime').settings.adminTokens, env, 'operator');
  return respond(c, await coordinator(c, env).revokeKey(env, c.req.param('name'), token.name, c.get('now'), confirmedFor(c, env)));
});
