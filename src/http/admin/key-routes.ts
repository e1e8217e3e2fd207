import type { Context } from 'hono';
import type { AdminEnv } from './admin-auth';
import { coordinator } from './coordinator-client';
import { adminBody, confirmedFor } from './request';
import { respond } from './respond';

/** Client keys of one environment: list (never secrets), issue (secret shown once) and revoke. Roles are in routes.ts. */

const NO_STORE = { 'cache-control': 'no-store' };

export async function listKeys(c: Context<AdminEnv>): Promise<Response> {
  const env = c.get('env');
  return c.json(await coordinator(c, env).listKeys(), 200, NO_STORE);
}

export async function issueKey(c: Context<AdminEnv>): Promise<Response> {
  const env = c.get('env');
  const out = await coordinator(c, env).issueKey(await adminBody(c), c.get('admin').name, c.get('now'), confirmedFor(c, env));
  return respond(c, out, out.ok && out.value.changed ? 201 : 200, NO_STORE);
}

export async function revokeKey(c: Context<AdminEnv>): Promise<Response> {
  const env = c.get('env');
  return respond(c, await coordinator(c, env).revokeKey(c.req.param('name') ?? '', c.get('admin').name, c.get('now'), confirmedFor(c, env)));
}
