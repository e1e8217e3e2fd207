import { sha256Hex } from '../../core/sha256';
import type { AdminToken } from '../../settings';
import { equalHex } from '../client-auth';
import { RollgateError } from '../errors';

/** Roles in increasing power: each can do what the ones before it can. */
const RANK = { viewer: 0, editor: 1, operator: 2 } as const;
export type Role = keyof typeof RANK;

/**
 * The admin token presented in `Authorization: Bearer`, checked in constant time against every
 * configured hash. 401 when missing or unknown (naming nothing configured); 403 when the token
 * is known but its environments or role do not allow the request.
 */
export async function authorizeAdmin(headers: Headers, tokens: readonly AdminToken[], environment: string | null, needed: Role): Promise<AdminToken> {
  return authorizeToken(await authenticateAdmin(headers, tokens), environment, needed);
}

/** 403 unless an authenticated token's environments and role allow the request (the admin API's rule, shared by the dashboard). */
export function authorizeToken(found: AdminToken, environment: string | null, needed: Role): AdminToken {
  if (environment !== null && !inScope(found, environment)) {
    throw new RollgateError(403, `token "${found.name}" may not access environment "${environment}"`);
  }
  if (RANK[found.role] < RANK[needed]) {
    throw new RollgateError(403, `token "${found.name}" is a ${found.role}; this needs ${needed}`);
  }
  return found;
}

/** The configured token presented in `Authorization: Bearer`; 401 (naming nothing configured) when missing or unknown. */
export async function authenticateAdmin(headers: Headers, tokens: readonly AdminToken[]): Promise<AdminToken> {
  const m = /^Bearer\s+(\S+)\s*$/i.exec(headers.get('authorization') ?? '');
  if (!m) throw new RollgateError(401, 'an admin token is required: Authorization: Bearer <token>');
  const hash = await sha256Hex(m[1]!);
  let found: AdminToken | undefined;
  for (const t of tokens) {
    if (equalHex(t.sha256, hash) && !found) found = t;
  }
  if (!found) throw new RollgateError(401, 'the admin token is not valid');
  return found;
}

/** Whether a token covers an environment. */
export function inScope(token: AdminToken, environment: string): boolean {
  return token.environments === '*' || token.environments.includes(environment);
}
