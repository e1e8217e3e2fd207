import { describe, expect, it } from 'vitest';
import { ERROR_CODES, type ErrorCode } from '../src/core/api/error-codes';
import { TOKENS } from './helpers/admin';
import { adminKit, type Json, STAGING } from './helpers/admin-kit';
import { validConfig } from './helpers/coordinator';

// Every admin and metrics error answers `{ error, code }` with a code from the closed list; the
// CLI branches on the code, so each path below pins the one it answers with.

const PROD = '/environments/production';

const kit = adminKit();
const { admin } = kit;

interface Case {
  name: string;
  method: string;
  path: string;
  token?: string | null;
  body?: unknown;
  headers?: Record<string, string>;
  status: number;
  code: ErrorCode;
  /** Whether staging needs a config (and a running rollout of new-checkout) first. */
  seeded?: boolean;
}

const CASES: Case[] = [
  { name: 'no token', method: 'GET', path: `${STAGING}/flags`, token: null, status: 401, code: 'unauthorized' },
  { name: 'unknown token', method: 'GET', path: `${STAGING}/flags`, token: 'not-a-token-0000000', status: 401, code: 'unauthorized' },
  { name: 'viewer writes', method: 'PUT', path: `${STAGING}/flags`, token: TOKENS.viewer, body: validConfig(), status: 403, code: 'forbidden' },
  { name: 'token of another environment', method: 'GET', path: `${PROD}/flags`, token: TOKENS.stagingViewer, status: 403, code: 'forbidden' },
  { name: 'unknown environment', method: 'GET', path: '/environments/qa/flags', status: 404, code: 'environment_not_found' },
  { name: 'unknown admin route', method: 'GET', path: '/no-such-route', status: 404, code: 'not_found' },
  { name: 'unknown rollout action', method: 'POST', path: `${STAGING}/rollouts/ro_x/explode`, body: {}, status: 404, code: 'not_found' },
  { name: 'no config yet', method: 'GET', path: `${STAGING}/flags`, status: 404, code: 'config_not_found' },
  {
    name: 'unknown config version',
    method: 'POST',
    path: `${STAGING}/flags/revert`,
    body: { version: 99 },
    status: 404,
    code: 'config_version_not_found',
    seeded: true,
  },
  { name: 'unknown rollout', method: 'GET', path: `${STAGING}/rollouts/ro_nope`, status: 404, code: 'rollout_not_found' },
  { name: 'unknown key', method: 'DELETE', path: `${STAGING}/keys/nope`, status: 404, code: 'key_not_found', seeded: true },
  { name: 'bad limit', method: 'GET', path: `${STAGING}/audit?limit=0`, status: 400, code: 'invalid_query' },
  { name: 'bad cursor', method: 'GET', path: `${STAGING}/audit?cursor=x`, status: 400, code: 'invalid_query' },
  { name: 'bad failed filter', method: 'GET', path: `${STAGING}/notifications?failed=maybe`, status: 400, code: 'invalid_query' },
  { name: 'body not JSON', method: 'PUT', path: `${STAGING}/flags`, token: TOKENS.editor, body: '{nope', status: 400, code: 'invalid_body' },
  { name: 'empty body', method: 'PUT', path: `${STAGING}/flags`, token: TOKENS.editor, body: ' ', status: 400, code: 'invalid_body' },
  {
    name: 'not JSON content type',
    method: 'PUT',
    path: `${STAGING}/flags`,
    token: TOKENS.editor,
    body: '{}',
    headers: { 'content-type': 'text/plain' },
    status: 415,
    code: 'unsupported_media_type',
  },
  {
    name: 'body too large',
    method: 'PUT',
    path: `${STAGING}/flags`,
    token: TOKENS.editor,
    body: `"${'x'.repeat(1024 * 1024)}"`,
    status: 413,
    code: 'body_too_large',
  },
  { name: 'invalid config', method: 'PUT', path: `${STAGING}/flags`, token: TOKENS.editor, body: { flags: 3 }, status: 422, code: 'validation_failed' },
  {
    name: 'invalid revert body',
    method: 'POST',
    path: `${STAGING}/flags/revert`,
    token: TOKENS.editor,
    body: { version: 'x' },
    status: 422,
    code: 'validation_failed',
  },
  { name: 'invalid rollout request', method: 'POST', path: `${STAGING}/rollouts`, body: { flag: 3 }, status: 422, code: 'validation_failed', seeded: true },
  { name: 'invalid key request', method: 'POST', path: `${STAGING}/keys`, body: { name: '' }, status: 422, code: 'validation_failed', seeded: true },
  {
    name: 'stale If-Match',
    method: 'PUT',
    path: `${STAGING}/flags`,
    token: TOKENS.editor,
    body: validConfig(),
    headers: { 'if-match': '"41"' },
    status: 412,
    code: 'precondition_failed',
    seeded: true,
  },
  {
    name: 'second rollout of a flag',
    method: 'POST',
    path: `${STAGING}/rollouts`,
    body: { flag: 'new-checkout', variant: 'on', strategy: 'safe' },
    status: 409,
    code: 'rollout_conflict',
    seeded: true,
  },
  {
    name: 'unconfirmed protected write',
    method: 'PUT',
    path: `${PROD}/flags`,
    token: TOKENS.editor,
    body: validConfig(),
    status: 428,
    code: 'confirmation_required',
  },
];

async function seedStaging(): Promise<void> {
  expect((await admin('PUT', `${STAGING}/flags`, { token: TOKENS.editor, body: validConfig() })).status).toBe(200);
  expect((await admin('POST', `${STAGING}/rollouts`, { body: { flag: 'new-checkout', variant: 'on', strategy: 'safe' } })).status).toBe(201);
}

describe('admin error codes', () => {
  it.each(CASES)('$name: $status $code', async (c) => {
    if (c.seeded) await seedStaging();
    const res = await admin(c.method, c.path, { token: c.token, body: c.body, headers: c.headers ?? {} });
    expect(res.status).toBe(c.status);
    const body = await res.json<Json>();
    expect(body).toMatchObject({ code: c.code, error: expect.any(String) });
    expect(body).not.toHaveProperty('errorDetails');
  });

  it('every code in the table is one of the closed list', () => {
    for (const c of CASES) expect(ERROR_CODES).toContain(c.code);
  });

  it('an unknown admin route without a token is 401, with the admin shape', async () => {
    const res = await admin('GET', '/no-such-route', { token: null });
    expect(res.status).toBe(401);
    expect(await res.json<Json>()).toMatchObject({ code: 'unauthorized' });
  });

  it('an unknown admin route with a token is 404 in the admin shape, not OFREP errorDetails', async () => {
    const res = await admin('DELETE', '/environments', { token: TOKENS.viewer });
    expect(res.status).toBe(404);
    expect(await res.json<Json>()).toEqual({ error: 'no route for DELETE /admin/v1/environments', code: 'not_found' });
  });

  it('an unknown route outside the admin API keeps the OFREP shape', async () => {
    const res = await kit.h.fetch('/ofrep/v1/nope', { method: 'GET' });
    expect(res.status).toBe(404);
    expect(await res.json<Json>()).toEqual({ errorDetails: 'no route for GET /ofrep/v1/nope' });
  });
});
