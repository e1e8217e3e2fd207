import { reset } from 'cloudflare:test';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { adminTokensVar, TOKENS } from './helpers/admin';
import { configWith, coordinatorOf } from './helpers/coordinator';
import { Harness } from './helpers/harness';

let h: Harness;

beforeEach(async () => {
  h = new Harness();
  h.vars = { ADMIN_TOKENS: await adminTokensVar() };
});
afterEach(async () => {
  await reset();
});

const FORM = { 'content-type': 'application/x-www-form-urlencoded' };

/** Signs in with a token; the session cookie as a Cookie header value. */
async function signIn(token: string): Promise<string> {
  const res = await h.fetch('/ui/login', { method: 'POST', headers: FORM, body: new URLSearchParams({ token }).toString() });
  expect(res.status).toBe(303);
  const set = res.headers.get('set-cookie') ?? '';
  expect(set).toMatch(/HttpOnly/i);
  expect(set).toMatch(/Secure/i);
  expect(set).toMatch(/SameSite=Strict/i);
  expect(set).not.toContain(token);
  return set.split(';')[0]!;
}

async function csrfOf(cookie: string): Promise<string> {
  const html = await (await h.fetch('/ui', { headers: { cookie } })).text();
  return /name="csrf" value="([0-9a-f]{32})"/.exec(html)![1]!;
}

describe('dashboard sessions', () => {
  it('answers every page with the security headers', async () => {
    const res = await h.fetch('/ui/login');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-security-policy')).toContain("frame-ancestors 'none'");
    expect(res.headers.get('content-security-policy')).not.toContain('unsafe-inline');
    expect(res.headers.get('referrer-policy')).toBe('no-referrer');
    expect(res.headers.get('cache-control')).toBe('no-store');
  });

  it('refuses an unknown token and signs nobody in without SESSION_SECRET', async () => {
    const bad = await h.fetch('/ui/login', { method: 'POST', headers: FORM, body: 'token=nope' });
    expect(bad.status).toBe(401);
    expect(bad.headers.get('set-cookie')).toBeNull();
    h.vars = { ...h.vars, SESSION_SECRET: '' };
    const none = await h.fetch('/ui/login', { method: 'POST', headers: FORM, body: new URLSearchParams({ token: TOKENS.operator }).toString() });
    expect(none.status).toBe(503);
  });

  it('sends a tampered, expired or orphaned session back to the sign-in page', async () => {
    const cookie = await signIn(TOKENS.operator);
    expect((await h.fetch('/ui', { headers: { cookie } })).status).toBe(200);
    const [name, value] = cookie.split('=');
    const [body, sig] = value!.split('.');
    const forged = JSON.parse(atob(body!.replace(/-/g, '+').replace(/_/g, '/')));
    forged.role = 'operator';
    forged.name = 'victor-viewer';
    const tampered = `${name}=${btoa(JSON.stringify(forged)).replace(/=+$/, '')}.${sig}`;
    expect((await h.fetch('/ui', { headers: { cookie: tampered }, redirect: 'manual' })).headers.get('location')).toBe('/ui/login');

    h.now += 8 * 3600 * 1000 + 1;
    expect((await h.fetch('/ui', { headers: { cookie }, redirect: 'manual' })).status).toBe(303);
    h.now -= 8 * 3600 * 1000 + 1;
    // Removing the token from ADMIN_TOKENS ends its sessions.
    h.vars = { ...h.vars, ADMIN_TOKENS: JSON.stringify(JSON.parse(h.vars['ADMIN_TOKENS'] as string).slice(1)) };
    expect((await h.fetch('/ui', { headers: { cookie }, redirect: 'manual' })).status).toBe(303);
  });

  it("authorizes pages and posts with the admin API's rule", async () => {
    const staging = await signIn(TOKENS.stagingViewer);
    expect((await h.fetch('/ui/env/staging', { headers: { cookie: staging } })).status).toBe(200);
    expect((await h.fetch('/ui/env/production', { headers: { cookie: staging } })).status).toBe(403);
    const viewer = await signIn(TOKENS.viewer);
    const csrf = await csrfOf(viewer);
    const post = await h.fetch('/ui/env/staging/keys', {
      method: 'POST',
      headers: { ...FORM, cookie: viewer },
      body: new URLSearchParams({ csrf, name: 'x' }).toString(),
    });
    expect(post.status).toBe(403);
  });

  it('refuses posts without the CSRF token, from another site, or too large', async () => {
    const cookie = await signIn(TOKENS.operator);
    const csrf = await csrfOf(cookie);
    const post = (body: string, headers: Record<string, string> = {}) =>
      h.fetch('/ui/env/staging/keys', { method: 'POST', headers: { ...FORM, cookie, ...headers }, body });
    expect((await post('name=a')).status).toBe(403);
    expect((await post(`name=a&csrf=${'0'.repeat(32)}`)).status).toBe(403);
    expect((await post(`name=a&csrf=${csrf}`, { 'sec-fetch-site': 'cross-site' })).status).toBe(403);
    expect((await post(`name=a&csrf=${csrf}&pad=${'x'.repeat(20_000)}`)).status).toBe(413);
    const keys = await (await h.fetch('/ui/env/staging/keys', { headers: { cookie } })).text();
    expect(keys).not.toContain('>a<');
    const ok = await post(`name=ui-key&csrf=${csrf}`);
    expect(ok.status).toBe(201);
    expect(await ok.text()).toContain('shown once');
  });
});

describe('dashboard audit page', () => {
  it('filters by actor and time in the coordinator: an actor whose entries are all older than the newest 50 is still found', async () => {
    const { api } = coordinatorOf('staging');
    const t0 = Date.UTC(2026, 10, 1, 12);
    for (let i = 0; i < 55; i++) {
      const document = configWith((c) => {
        c.metadata = { write: i };
      });
      const actor = i === 0 ? 'early-bird' : 'alice';
      expect((await api.putConfig({ document, ifMatch: null, actor, reason: `write ${i}`, confirmed: false }, t0 + i * 60_000)).ok).toBe(true);
    }
    const cookie = await signIn(TOKENS.viewer);
    const byActor = await (await h.fetch('/ui/env/staging/audit?actor=early-bird', { headers: { cookie } })).text();
    expect(byActor).toContain('write 0');
    expect(byActor).not.toContain('write 1<');
    const window = await (await h.fetch('/ui/env/staging/audit?since=2026-11-01T12:10&until=2026-11-01T12:12', { headers: { cookie } })).text();
    expect([...window.matchAll(/write (\d+)</g)].map((m) => m[1])).toEqual(['11', '10']);
  });
});

describe('dashboard rollout actions', () => {
  /** Which action forms of a rollout page ask for the environment's name. */
  async function confirmFields(environment: string, id: string, cookie: string): Promise<Record<string, boolean>> {
    const html = await (await h.fetch(`/ui/env/${environment}/rollouts/${id}`, { headers: { cookie } })).text();
    const forms = [...html.matchAll(/<form method="post" action="[^"]*\/rollouts\/[^"/]+\/([a-z]+)"[^>]*>([\s\S]*?)<\/form>/g)];
    return Object.fromEntries(forms.map((m) => [m[1], m[2]!.includes('name="confirm"')]));
  }

  it('asks for the name of a protected environment on promote and resume only', async () => {
    const now = Date.now();
    const cookie = await signIn(TOKENS.operator);
    for (const environment of ['production', 'staging']) {
      const { api } = coordinatorOf(environment);
      expect((await api.putConfig({ document: configWith(() => undefined), ifMatch: null, actor: 'tester', reason: null, confirmed: true }, now)).ok).toBe(
        true,
      );
      const started = await api.startRollout({ flag: 'new-checkout', variant: 'on', strategy: 'safe', reason: 'launch' }, 'tester', now, true);
      if (!started.ok) throw new Error(started.error);
      const id = started.value.id;
      const asks = environment === 'production';
      expect(await confirmFields(environment, id, cookie)).toEqual({ rollback: false, pause: false, promote: asks });
      expect((await api.rolloutAction(id, 'pause', { reason: 'look' }, 'tester', now, false)).ok).toBe(true);
      expect(await confirmFields(environment, id, cookie)).toEqual({ rollback: false, resume: asks });
    }
  });
});
