import { sha256Hex } from '../../src/core/sha256';
import type { Harness } from './harness';

/** Admin tokens for tests: one per role on every environment, and a viewer scoped to staging. */
export const TOKENS = {
  operator: 'op-token-0123456789',
  editor: 'ed-token-0123456789',
  viewer: 'vw-token-0123456789',
  stagingViewer: 'sv-token-0123456789',
} as const;

/** The ADMIN_TOKENS variable for TOKENS. */
export async function adminTokensVar(): Promise<string> {
  return JSON.stringify([
    { name: 'alice-operator', sha256: await sha256Hex(TOKENS.operator), environments: '*', role: 'operator' },
    { name: 'erin-editor', sha256: await sha256Hex(TOKENS.editor), environments: '*', role: 'editor' },
    { name: 'victor-viewer', sha256: await sha256Hex(TOKENS.viewer), environments: '*', role: 'viewer' },
    { name: 'sam-staging', sha256: await sha256Hex(TOKENS.stagingViewer), environments: ['staging'], role: 'viewer' },
  ]);
}

/** Sends an admin request with a token and optional JSON body. */
export function admin(
  h: Harness,
  method: string,
  path: string,
  options: { token?: string | null; body?: unknown; headers?: Record<string, string> } = {},
): Promise<Response> {
  const token = options.token === undefined ? TOKENS.operator : options.token;
  const headers: Record<string, string> = { ...(token ? { authorization: `Bearer ${token}` } : {}), ...options.headers };
  let body: string | undefined;
  if (options.body !== undefined) {
    headers['content-type'] ??= 'application/json';
    body = typeof options.body === 'string' ? options.body : JSON.stringify(options.body);
  }
  return h.fetch(`/admin/v1${path}`, { method, headers, ...(body !== undefined ? { body } : {}) });
}

/** Admin-test token names, as they must appear as actors (and never in a 401 body). */
export const TOKEN_NAMES = ['alice-operator', 'erin-editor', 'victor-viewer', 'sam-staging'] as const;
