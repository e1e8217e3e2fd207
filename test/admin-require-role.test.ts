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
    ['a viewer on an editor route', 'PUT', '/environments/staging/flags', TOKENS.viewer, 403, 'forbidden', /is a viewer; this needs editor/],
    ['a viewer on an operator route', 'POST', '/environments/staging/rollouts', TOKENS.viewer, 403, 'forbidden', /this needs operator/],
    ['an editor on an operator route', 'DELETE', '/environments/staging/keys/web', TOKENS.editor, 403, 'forbidden', /this needs operator/],
    [
      'a staging token on production',
      'GET',
      '/environments/production/flags',
      TOKENS.stagingViewer,
      403,
      'forbidden',
      /may not access environment "production"/,
    ],
    ['any token on an environment not served', 'GET', '/environments/qa/flags', TOKENS.operator, 404, 'environment_not_found', /unknown environment "qa"/],
    ['an unknown token', 'GET', '/environments/staging/flags', 'not-a-token-000000', 401, 'unauthorized', /not valid/],
  ])('denies %s, hashing the token once', async (_name, method, path, token, status, code, message) => {
    const res = await send(method, path, token);
    expect(res.status).toBe(status);
    const body = await res.json<Json>();
    expect(body).toMatchObject({ code });
    expect(body['error']).toMatch(message);
    expect(hashed).toEqual([token]);
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
