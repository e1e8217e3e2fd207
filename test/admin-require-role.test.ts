import { createExecutionContext, reset, waitOnExecutionContext } from 'cloudflare:test';
import { env } from 'cloudflare:workers';
import { Hono } from 'hono';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { sha256Hex } from '../src/core/sha256';
import { createAdminRoutes } from '../src/http/admin/routes';
import { resetRuntime, runtimeFor } from '../src/http/runtime';
import type { AppEnv } from '../src/http/types';
import { adminTokensVar, TOKENS } from './helpers/admin';

// requireRole resolves the bearer token once per request (the hasher is counted), then checks the
// environment, the token's environments and its role, in that order.

type Json = Record<string, any>;

let hashed: string[];
let vars: Record<string, unknown>;

function appWithCountingHasher(): Hono<AppEnv> {
  const app = new Hono<AppEnv>();
  app.use('*', async (c, next) => {
    c.set('now', Date.UTC(2026, 10, 27, 12));
    c.set('runtime', runtimeFor(c.env));
    await next();
  });
  app.route(
    '/admin/v1',
    createAdminRoutes(async (token) => {
      hashed.push(token);
      return sha256Hex(token);
    }),
  );
  return app;
}

async function send(method: string, path: string, token: string | null): Promise<Response> {
  const ctx = createExecutionContext();
  const headers: Record<string, string> = { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) };
  const init: RequestInit = { method, headers, ...(method === 'GET' ? {} : { body: '{}' }) };
  const res = await appWithCountingHasher().fetch(new Request(`https://rollgate.test/admin/v1${path}`, init), { ...env, ...vars }, ctx);
  await waitOnExecutionContext(ctx);
  return res;
}

beforeEach(async () => {
  resetRuntime();
  hashed = [];
  vars = { ADMIN_TOKENS: await adminTokensVar() };
});
afterEach(async () => {
  await reset();
});

describe('requireRole', () => {
  it.each([
    {
      name: 'a viewer on an editor route',
      method: 'PUT',
      path: '/environments/staging/flags',
      token: TOKENS.viewer,
      status: 403,
      code: 'forbidden',
      message: /is a viewer; this needs editor/,
    },
    {
      name: 'a viewer on an operator route',
      method: 'POST',
      path: '/environments/staging/rollouts',
      token: TOKENS.viewer,
      status: 403,
      code: 'forbidden',
      message: /this needs operator/,
    },
    {
      name: 'an editor on an operator route',
      method: 'DELETE',
      path: '/environments/staging/keys/web',
      token: TOKENS.editor,
      status: 403,
      code: 'forbidden',
      message: /this needs operator/,
    },
    {
      name: 'a staging token on production',
      method: 'GET',
      path: '/environments/production/flags',
      token: TOKENS.stagingViewer,
      status: 403,
      code: 'forbidden',
      message: /may not access environment "production"/,
    },
    {
      name: 'any token on an environment not served',
      method: 'GET',
      path: '/environments/qa/flags',
      token: TOKENS.operator,
      status: 404,
      code: 'environment_not_found',
      message: /unknown environment "qa"/,
    },
    {
      name: 'an unknown token',
      method: 'GET',
      path: '/environments/staging/flags',
      token: 'not-a-token-000000',
      status: 401,
      code: 'unauthorized',
      message: /not valid/,
    },
  ])('denies $name, hashing the token once', async (c) => {
    const res = await send(c.method, c.path, c.token);
    expect(res.status).toBe(c.status);
    const body = await res.json<Json>();
    expect(body).toMatchObject({ code: c.code });
    expect(body['error']).toMatch(c.message);
    expect(hashed).toEqual([c.token]);
  });

  it('allows a token of enough role in its environments, hashing once', async () => {
    const res = await send('GET', '/environments/staging/rollouts', TOKENS.stagingViewer);
    expect(res.status).toBe(200);
    expect(hashed).toEqual([TOKENS.stagingViewer]);
  });

  it('lists only the environments a scoped token covers', async () => {
    const res = await send('GET', '/environments', TOKENS.stagingViewer);
    expect(res.status).toBe(200);
    const body = await res.json<Json>();
    expect(body['environments'].map((e: Json) => e['environment'])).toEqual(['staging']);
    expect(hashed).toHaveLength(1);
  });

  it('hashes nothing without a bearer token', async () => {
    const res = await send('GET', '/environments/staging/flags', null);
    expect(res.status).toBe(401);
    expect(hashed).toEqual([]);
  });
});
