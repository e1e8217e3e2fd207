import { Hono } from 'hono';
import { logEvent } from '../../log';
import { errorBody, RollgateError } from '../errors';
import { adminGuards, type AdminEnv, type TokenHasher } from './admin-auth';
import { getConfig, putConfig, revertConfig, validateConfig } from './config-routes';
import { auditPage, listEnvironments } from './environment-routes';
import { issueKey, listKeys, revokeKey } from './key-routes';
import { listNotifications } from './notification-routes';
import { getRollout, knownAction, listRollouts, rolloutAction, startRollout } from './rollout-routes';

/** The admin API, mounted at /admin/v1; `hash` is how bearer tokens are hashed (tests count it). */
export function createAdminRoutes(hash?: TokenHasher): Hono<AdminEnv> {
  const admin = new Hono<AdminEnv>();
  const { authenticate, requireRole } = adminGuards(hash);

  // Authentication comes before anything else: without a valid token every admin request is 401,
  // so unknown environments, rollout actions and routes cannot be told apart from known ones.
  admin.use('*', authenticate);

  // Who may do what: the one table of the admin API's roles.
  const E = '/environments/:env';
  admin.get('/environments', requireRole('viewer'), listEnvironments);
  admin.get(`${E}/audit`, requireRole('viewer'), auditPage);
  admin.get(`${E}/flags`, requireRole('viewer'), getConfig);
  admin.put(`${E}/flags`, requireRole('editor'), putConfig);
  admin.post(`${E}/flags/validate`, requireRole('viewer'), validateConfig);
  admin.post(`${E}/flags/revert`, requireRole('editor'), revertConfig);
  admin.get(`${E}/rollouts`, requireRole('viewer'), listRollouts);
  admin.post(`${E}/rollouts`, requireRole('operator'), startRollout);
  admin.get(`${E}/rollouts/:id`, requireRole('viewer'), getRollout);
  admin.post(`${E}/rollouts/:id/:action`, knownAction, requireRole('operator'), rolloutAction);
  admin.get(`${E}/keys`, requireRole('viewer'), listKeys);
  admin.post(`${E}/keys`, requireRole('operator'), issueKey);
  admin.delete(`${E}/keys/:name`, requireRole('operator'), revokeKey);
  admin.get(`${E}/notifications`, requireRole('viewer'), listNotifications);

  // A mounted app's notFound is not consulted by Hono; a last catch-all gives the admin 404 shape.
  admin.all('*', (c) => {
    throw new RollgateError(404, 'not_found', `no route for ${c.req.method} ${new URL(c.req.url).pathname}`);
  });
  admin.onError((err, c) => {
    if (err instanceof RollgateError) return c.json(errorBody(err), err.status);
    logEvent({ event: 'unhandled_error', path: new URL(c.req.url).pathname, name: err.name, message: err.message });
    return c.json({ error: 'internal error; see the Worker logs (unhandled_error)', code: 'internal_error' }, 500);
  });
  return admin;
}

export const adminRoutes = createAdminRoutes();
