import { type Context, Hono } from 'hono';
import type { Outcome } from '../../coordinator/outcome';
import { isRolloutAction } from '../../core/rollout/actions';
import { RollgateError } from '../errors';
import { coordinator } from '../admin/coordinator-client';
import { isProtected } from '../../coordinator/protection';
import { readForm, type UiEnv } from './guard';
import { renderRollout, uiEnvironment } from './pages';
import { KeysPage } from './pages/keys';

/** The dashboard's state changes: each one a form post with the session's CSRF token, authorized as the admin API authorizes it. */
export const actionRoutes = new Hono<UiEnv>();

/** A failed outcome as the error it is (403, 409, 422, 428 …), for the error page. */
function refused<T>(out: Outcome<T>): RollgateError | null {
  return out.ok ? null : new RollgateError(out.status, out.code, out.error);
}

actionRoutes.post('/env/:env/rollouts/:id/:action', async (c) => {
  const action = c.req.param('action');
  if (!isRolloutAction(action)) throw new RollgateError(404, 'not_found', `unknown action "${action}"`);
  const form = await readForm(c, c.get('viewer').session.csrf);
  const env = uiEnvironment(c, 'operator');
  const id = c.req.param('id');
  const fromStage = Number(form.get('fromStage'));
  const body = {
    reason: (form.get('reason') ?? '').slice(0, 2000),
    ...(Number.isInteger(fromStage) && fromStage >= 0 && fromStage <= 100 ? { fromStage } : {}),
  };
  const out = await coordinator(c, env).rolloutAction(id, action, body, c.get('viewer').session.name, c.get('now'), form.get('confirm') === env);
  if (!out.ok) return renderRollout(c, env, id, { status: out.status, message: out.error });
  return c.redirect(`/ui/env/${encodeURIComponent(env)}/rollouts/${encodeURIComponent(id)}`, 303);
});

actionRoutes.post('/env/:env/revert', async (c) => {
  const form = await readForm(c, c.get('viewer').session.csrf);
  const env = uiEnvironment(c, 'editor');
  const version = Number(form.get('version'));
  if (!Number.isInteger(version) || version < 1) throw new RollgateError(422, 'validation_failed', 'version must be a positive integer');
  const reason = (form.get('reason') ?? '').slice(0, 1000) || null;
  const out = await coordinator(c, env).revertConfig(
    version,
    { ifMatch: null, actor: c.get('viewer').session.name, reason, confirmed: form.get('confirm') === env },
    c.get('now'),
  );
  const err = refused(out);
  if (err) throw err;
  return c.redirect(`/ui/env/${encodeURIComponent(env)}`, 303);
});

async function keysPage(c: Context<UiEnv>, env: string, extra: { issued?: string; error?: string }, status: number): Promise<Response> {
  const api = coordinator(c, env);
  const [keys, config] = await Promise.all([api.listKeys(), api.getConfig()]);
  const page = (
    <KeysPage
      viewer={c.get('viewer')}
      environment={env}
      keys={keys.keys}
      canOperate
      isProtected={isProtected(config.ok ? config.value.document : null, env)}
      {...extra}
    />
  );
  return c.html(page, status as 200);
}

actionRoutes.post('/env/:env/keys', async (c) => {
  const form = await readForm(c, c.get('viewer').session.csrf);
  const env = uiEnvironment(c, 'operator');
  const out = await coordinator(c, env).issueKey({ name: form.get('name') ?? '' }, c.get('viewer').session.name, c.get('now'), form.get('confirm') === env);
  if (!out.ok) return keysPage(c, env, { error: out.error }, out.status);
  return keysPage(c, env, { issued: out.value.key }, 201);
});

actionRoutes.post('/env/:env/keys/:name/revoke', async (c) => {
  const form = await readForm(c, c.get('viewer').session.csrf);
  const env = uiEnvironment(c, 'operator');
  const out = await coordinator(c, env).revokeKey(c.req.param('name'), c.get('viewer').session.name, c.get('now'), form.get('confirm') === env);
  if (!out.ok) return keysPage(c, env, { error: out.error }, out.status);
  return c.redirect(`/ui/env/${encodeURIComponent(env)}/keys`, 303);
});
