import { fromZod } from '../core/config/issues';
import { formatSecret } from '../core/encoding';
import { canonicalScopes, DEFAULT_SCOPES, storedScopes } from '../core/key-scopes';
import { type KeyScope, zKeyScope } from '../core/schema/snapshot';
import * as z from '../core/schema/zod';
import { sha256Hex } from '../core/sha256';
import type { ClientKeyInfo } from './client-keys';
import { fail, ok, type Outcome } from './outcome';
import { commit, type CoordinatorState } from './state';

/** A key's scopes as asked for: at least one, each known, none twice. */
export const zKeyScopes = z.array(zKeyScope).check(
  z.minLength(1, 'a key needs at least one scope: evaluate, report'),
  z.refine((scopes) => new Set(scopes).size === scopes.length, 'a scope is listed twice'),
);

/**
 * The body of "issue a key". `secret` imports an existing key (e.g. the local dev keys) instead
 * of minting one; `scopes` defaults to evaluate-only, the scope that is safe in a browser.
 */
export const zIssueKey = z.strictObject({
  name: z.string().check(z.regex(/^[A-Za-z0-9._-]{1,64}$/, 'names are 1-64 characters: letters, digits, . _ -')),
  secret: z.optional(z.string().check(z.minLength(16, 'an imported secret needs at least 16 characters'), z.maxLength(256))),
  scopes: z.optional(zKeyScopes),
});
export type IssueKey = z.infer<typeof zIssueKey>;

/** An issued key; `key` is shown once and never stored. */
export interface IssuedKey {
  name: string;
  key: string;
  scopes: KeyScope[];
  changed: boolean;
}

/** Issues (or imports) a key; the same name with the same imported secret is a no-op. */
export async function issueKey(s: CoordinatorState, body: unknown, actor: string, now: number): Promise<Outcome<IssuedKey>> {
  const parsed = zIssueKey.safeParse(body);
  if (!parsed.success) return fail(422, 'validation_failed', 'the key request is invalid', { errors: fromZod(parsed.error) });
  const { name } = parsed.data;
  const scopes = canonicalScopes(parsed.data.scopes ?? DEFAULT_SCOPES);
  const secret = parsed.data.secret ?? mintSecret(s.environment());
  const hash = await sha256Hex(secret);
  // The hash is computed before the transaction: nothing may await between check and commit.
  const existing = s.keys.get(name);
  if (existing !== null) {
    if (parsed.data.secret !== undefined && existing.sha256 === hash) {
      // Scopes never change silently: a browser key must not turn into a report key by re-import.
      if (storedScopes(existing.scopes) === storedScopes(scopes)) return ok({ name, key: secret, scopes, changed: false });
      return fail(
        409,
        'key_conflict',
        `the key "${name}" has scopes ${existing.scopes.join(', ')}, not ${scopes.join(', ')}; revoke it and issue it again to change scopes`,
      );
    }
    return fail(409, 'key_conflict', `a key named "${name}" already exists; revoke it first`);
  }
  commit(s, () => {
    s.keys.add(name, hash, scopes, now, actor);
    s.audit.append(now, {
      actor,
      action: 'key.issue',
      target: name,
      flags: [],
      reason: null,
      diff: { after: { name, scopes, imported: parsed.data.secret !== undefined } },
    });
    return { result: undefined, dirty: true };
  });
  return ok({ name, key: secret, scopes, changed: true });
}

/** The environment's keys: names, scopes and creation, never secrets or hashes. */
export function listKeys(s: CoordinatorState): { keys: ClientKeyInfo[] } {
  return { keys: s.keys.list() };
}

/** Revokes a key; it stops working at the edge with the next snapshot. */
export function revokeKey(s: CoordinatorState, name: string, actor: string, now: number): Outcome<{ name: string }> {
  if (s.keys.get(name) === null) return fail(404, 'key_not_found', `no key named "${name}" in ${s.environment()}`);
  commit(s, () => {
    s.keys.remove(name);
    s.audit.append(now, { actor, action: 'key.revoke', target: name, flags: [], reason: null, diff: { before: { name } } });
    return { result: undefined, dirty: true };
  });
  return ok({ name });
}

/** 256 random bits, prefixed so that a leaked key is recognisable and names its environment. */
function mintSecret(environment: string): string {
  return formatSecret(`rg_${environment}`, crypto.getRandomValues(new Uint8Array(32)));
}
