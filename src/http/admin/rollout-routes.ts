import type { Context } from 'hono';
import { isRolloutAction, ROLLOUT_ACTIONS } from '../../core/rollout/actions';
import { RollgateError } from '../errors';
import type { AdminEnv } from './admin-auth';
import type { RolloutsResponse } from './api-types';
import { coordinator } from './coordinator-client';
import { adminBody, confirmedFor } from './request';
import { respond } from './respond';

/** Rollouts of one environment: list, start, inspect, operator actions. Roles are in routes.ts. */

export async function listRollouts(c: Context<AdminEnv>): Promise<Response> {
  const env = c.get('env');
  const answer: RolloutsResponse = { rollouts: await coordinator(c, env).listRollouts(c.req.query('status')) };
  return c.json(answer);
}

export async function startRollout(c: Context<AdminEnv>): Promise<Response> {
  const env = c.get('env');
  const body = await adminBody(c);
  return respond(c, await coordinator(c, env).startRollout(body, c.get('admin').name, c.get('now'), confirmedFor(c, env)), 201);
}

export async function getRollout(c: Context<AdminEnv>): Promise<Response> {
  const env = c.get('env');
  return respond(c, await coordinator(c, env).getRollout(c.req.param('id') ?? ''));
}

/** 404 for an unknown action, before the role is checked (as before requireRole). */
export async function knownAction(c: Context<AdminEnv>, next: () => Promise<void>): Promise<void> {
  const action = c.req.param('action') ?? '';
  if (!isRolloutAction(action))
    throw new RollgateError(404, 'not_found', `unknown action "${action}"; use ${ROLLOUT_ACTIONS.slice(0, -1).join(', ')} or rollback`);
  await next();
}

export async function rolloutAction(c: Context<AdminEnv>): Promise<Response> {
  const env = c.get('env');
  const action = c.req.param('action') ?? '';
  if (!isRolloutAction(action)) throw new RollgateError(404, 'not_found', `unknown action "${action}"`);
  const body = await adminBody(c);
  const out = await coordinator(c, env).rolloutAction(c.req.param('id') ?? '', action, body, c.get('admin').name, c.get('now'), confirmedFor(c, env));
  return respond(c, out);
}
