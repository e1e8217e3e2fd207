import { createMiddleware } from 'hono/factory';
import { sha256Hex } from '../../core/sha256';
import type { AdminToken } from '../../settings';
import { equalHex } from '../client-auth';
import { RollgateError } from '../errors';
import type { AppEnv } from '../types';

/** Roles in increasing power: each can do what the ones before it can. */
const RANK = { viewer: 0, editor: 1, operator: 2 } as const;
export type Role = keyof typeof RANK;

/** The admin API's context: the app's, plus the resolved token and (on environment routes) the environment. */
export interface AdminEnv {
  Bindings: AppEnv['Bindings'];
  Variables: AppEnv['Variables'] & {
    /** The token of the request, resolved (hashed) once by `authenticate`. */
    admin: AdminToken;
    /** The environment of the path, known to this Worker and allowed for the token. */
    env: string;
  };
}

/** How a presented token is hashed; injected so a test can count the hashing. */
export type TokenHasher = (token: string) => Promise<string>;

/**
 * The admin API's one rule: why a token may not do what `needed` allows in `environment`
 * (null: it may). The dashboard asks the same question for its sessions.
 */
export function denial(token: AdminToken, environment: string | null, needed: Role): RollgateError | null {
  if (environment !== null && !inScope(token, environment)) {
    return new RollgateError(403, 'forbidden', `token "${token.name}" may not access environment "${environment}"`);
  }
  if (RANK[token.role] < RANK[needed]) return new RollgateError(403, 'forbidden', `token "${token.name}" is a ${token.role}; this needs ${needed}`);
  return null;
}

/** 403 unless the token's environments and role allow the request. */
export function authorizeToken(token: AdminToken, environment: string | null, needed: Role): AdminToken {
  const refused = denial(token, environment, needed);
  if (refused) throw refused;
  return token;
}

/** The configured token presented in `Authorization: Bearer`; 401 (naming nothing configured) when missing or unknown. */
export async function authenticateAdmin(headers: Headers, tokens: readonly AdminToken[], hash: TokenHasher = sha256Hex): Promise<AdminToken> {
  const m = /^Bearer\s+(\S+)\s*$/i.exec(headers.get('authorization') ?? '');
  if (!m) throw new RollgateError(401, 'unauthorized', 'an admin token is required: Authorization: Bearer <token>');
  const digest = await hash(m[1]!);
  let found: AdminToken | undefined;
  // Every configured hash is compared, in constant time: the answer's timing names no token.
  for (const t of tokens) {
    if (equalHex(t.sha256, digest) && !found) found = t;
  }
  if (!found) throw new RollgateError(401, 'unauthorized', 'the admin token is not valid');
  return found;
}

/** Whether a token covers an environment. */
export function inScope(token: AdminToken, environment: string): boolean {
  return token.environments === '*' || token.environments.includes(environment);
}

/** The admin middleware, built around one token hasher. */
export function adminGuards(hash: TokenHasher = sha256Hex) {
  /** Resolves the bearer token once per request (401 without a valid one) and puts it on the context as `admin`. */
  const authenticate = createMiddleware<AdminEnv>(async (c, next) => {
    c.set('admin', await authenticateAdmin(c.req.raw.headers, c.get('runtime').settings.adminTokens, hash));
    await next();
  });

  /**
   * Allows the route to tokens of at least `role`. On routes with `:env`, the environment must be
   * served here (404) and covered by the token (403); it is put on the context as `env`.
   */
  const requireRole = (role: Role) =>
    createMiddleware<AdminEnv>(async (c, next) => {
      const admin = c.get('admin');
      const env = c.req.param('env');
      if (env !== undefined && !c.get('runtime').environments.includes(env))
        throw new RollgateError(404, 'environment_not_found', `unknown environment "${env}"`);
      authorizeToken(admin, env ?? null, role);
      if (env !== undefined) c.set('env', env);
      await next();
    });

  return { authenticate, requireRole };
}
