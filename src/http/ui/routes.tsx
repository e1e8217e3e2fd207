import { Hono } from 'hono';
import { deleteCookie, setCookie } from 'hono/cookie';
import { authenticateAdmin } from '../admin/admin-auth';
import { RollgateError } from '../errors';
import { logEvent } from '../../log';
import type { AppEnv } from '../types';
import { actionRoutes } from './actions';
import { CSS, LIVE_JS } from './assets';
import { readForm, requireSession, secretOf, securityHeaders, type UiEnv } from './guard';
import { Layout } from './layout';
import { pageRoutes } from './pages';
import { newSession, sealSession, SESSION_COOKIE, SESSION_TTL_MS } from './session';

/** The operator's dashboard, mounted at /ui: server-rendered pages, plain forms, one small script. */
export const uiRoutes = new Hono<AppEnv>();

uiRoutes.use('*', securityHeaders);

uiRoutes.get('/static/app.css', (c) => c.body(CSS, 200, { 'content-type': 'text/css; charset=utf-8', 'cache-control': 'public, max-age=300' }));
uiRoutes.get('/static/live.js', (c) => c.body(LIVE_JS, 200, { 'content-type': 'text/javascript; charset=utf-8', 'cache-control': 'public, max-age=300' }));

function LoginPage(props: { error?: string }) {
  return (
    <Layout title="Sign in">
      {props.error ? (
        <p class="error" role="alert">
          {props.error}
        </p>
      ) : null}
      <form method="post" action="/ui/login">
        <label>
          Admin token <input name="token" type="password" autocomplete="off" required />
        </label>{' '}
        <button type="submit">Sign in</button>
      </form>
      <p class="muted">The token is checked and forgotten: the session cookie carries its name, role and environments, never the token.</p>
    </Layout>
  );
}

uiRoutes.get('/login', (c) => c.html(<LoginPage />));

uiRoutes.post('/login', async (c) => {
  const secret = secretOf(c);
  const form = await readForm(c, null);
  const raw = form.get('token') ?? '';
  let token;
  try {
    // The admin API's own check, on the pasted token as if it came as a bearer token.
    token = await authenticateAdmin(new Headers({ authorization: `Bearer ${raw.trim()}` }), c.get('runtime').settings.adminTokens);
  } catch (err) {
    if (err instanceof RollgateError && err.status === 401) return c.html(<LoginPage error="That token is not valid." />, 401);
    throw err;
  }
  const cookie = await sealSession(newSession(token, c.get('now')), secret);
  setCookie(c, SESSION_COOKIE, cookie, { path: '/ui', httpOnly: true, secure: true, sameSite: 'Strict', maxAge: SESSION_TTL_MS / 1000 });
  return c.redirect('/ui', 303);
});

const signedIn = new Hono<UiEnv>();
signedIn.use('*', requireSession);

signedIn.post('/logout', async (c) => {
  await readForm(c, c.get('viewer').session.csrf);
  deleteCookie(c, SESSION_COOKIE, { path: '/ui', httpOnly: true, secure: true, sameSite: 'Strict' });
  return c.redirect('/ui/login', 303);
});

signedIn.route('/', pageRoutes);
signedIn.route('/', actionRoutes);

uiRoutes.route('/', signedIn);

uiRoutes.onError((err, c) => {
  const known = err instanceof RollgateError;
  if (!known) logEvent({ event: 'unhandled_error', path: new URL(c.req.url).pathname, name: err.name, message: err.message });
  return c.html(
    <Layout title={known ? `Refused (${err.status})` : 'Internal error'}>
      <p class="error" role="alert">
        {known ? err.publicMessage : 'internal error; see the Worker logs (unhandled_error)'}
      </p>
      <p>
        <a href="/ui">Back to the overview</a>
      </p>
    </Layout>,
    known ? err.status : 500,
  );
});
