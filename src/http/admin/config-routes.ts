import { Hono } from 'hono';
import { MAX_REASON_CHARS } from '../../core/schema/rollout';
import * as z from '../../core/schema/zod';
import { RollgateError } from '../errors';
import type { AppEnv } from '../types';
import { authorizeAdmin } from './admin-auth';
import { adminBody, coordinator, environmentParam, ifMatchVersion, respond } from './respond';

/** Config of one environment: read, replace, dry-run, revert. */
export const configRoutes = new Hono<AppEnv>();

const zRevert = z.strictObject({ version: z.int().check(z.positive()), reason: z.optional(z.string().check(z.maxLength(MAX_REASON_CHARS))) });

configRoutes.get('/', async (c) => {
  const env = environmentParam(c);
  await authorizeAdmin(c.req.raw.headers, c.get('runtime').settings.adminTokens, env, 'viewer');
  const out = await coordinator(c, env).getConfig(env);
  return respond(c, out, 200, out.ok ? { etag: `"${out.value.version}"` } : {});
});

configRoutes.put('/', async (c) => {
  const env = environmentParam(c);
  const token = await authorizeAdmin(c.req.raw.headers, c.get('runtime').settings.adminTokens, env, 'editor');
  const document = await adminBody(c);
  const out = await coordinator(c, env).putConfig(
    env,
    {
      document,
      ifMatch: ifMatchVersion(c.req.header('if-match')),
      actor: token.name,
      reason: c.req.header('x-rollgate-reason') ?? null,
      confirmed: c.req.header('x-rollgate-confirm') === env,
    },
    c.get('now'),
  );
  return respond(c, out, 200, out.ok ? { etag: `"${out.value.version}"` } : {});
});

configRoutes.post('/validate', async (c) => {
  const env = environmentParam(c);
  await authorizeAdmin(c.req.raw.headers, c.get('runtime').settings.adminTokens, env, 'viewer');
  const document = await adminBody(c);
  return c.json(await coordinator(c, env).validateConfig(env, document));
});

configRoutes.post('/revert', async (c) => {
  const env = environmentParam(c);
  const token = await authorizeAdmin(c.req.raw.headers, c.get('runtime').settings.adminTokens, env, 'editor');
  const parsed = zRevert.safeParse(await adminBody(c));
  if (!parsed.success) throw new RollgateError(422, 'expected {"version": <number>, "reason"?: "..."}');
  const out = await coordinator(c, env).revertConfig(
    env,
    parsed.data.version,
    {
      ifMatch: ifMatchVersion(c.req.header('if-match')),
      actor: token.name,
      reason: parsed.data.reason ?? null,
      confirmed: c.req.header('x-rollgate-confirm') === env,
    },
    c.get('now'),
  );
  return respond(c, out, 200, out.ok ? { etag: `"${out.value.version}"` } : {});
});
