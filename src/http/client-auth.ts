import { SCOPE_REPORT } from '../core/key-scopes';
import { sha256Hex } from '../core/sha256';
import type { LoadedSnapshot } from '../store/loaded-snapshot';
import { RollgateError } from './errors';
import { HashMemo } from './hash-memo';
import type { Runtime } from './runtime';

/** Reads the client key from `Authorization: Bearer <key>` or `X-API-Key: <key>`. */
export function clientKeyOf(headers: Headers): string | undefined {
  const auth = headers.get('authorization');
  if (auth) {
    const m = /^Bearer\s+(\S+)\s*$/i.exec(auth);
    return m ? m[1] : undefined;
  }
  return headers.get('x-api-key')?.trim() || undefined;
}

/** Compares two equal-length strings without an early exit. */
export function equalHex(a: string, b: string): boolean {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= a.charCodeAt(i) ^ b.charCodeAt(i);
  return diff === 0;
}

/** The key a request presented: its environment's snapshot and its index in that snapshot's key lists. */
export interface ClientMatch {
  snapshot: LoadedSnapshot;
  index: number;
}

/**
 * The environment and key whose hash matches, or undefined. Every stored hash of every
 * environment is compared, so the time taken does not depend on which key matched or where.
 */
export function findClientKey(hash: string, snapshots: readonly (LoadedSnapshot | null | undefined)[]): ClientMatch | undefined {
  let found: LoadedSnapshot | undefined;
  let index = -1;
  for (const snap of snapshots) {
    if (!snap) continue;
    const hashes = snap.keyHashes;
    for (let i = 0; i < hashes.length; i++) {
      if (equalHex(hashes[i]!, hash) && !found) {
        found = snap;
        index = i;
      }
    }
  }
  return found ? { snapshot: found, index } : undefined;
}

/** Hashes of recently seen keys, per isolate. */
const hashMemo = new HashMemo(sha256Hex);

/**
 * The environment and key of the client key the request carries: 401 when there is none or it is
 * unknown, 403 when the key lacks the `needed` scope bit (SCOPE_EVALUATE or SCOPE_REPORT).
 */
export async function authenticateClient(headers: Headers, runtime: Runtime, kv: KVNamespace, now: number, needed: number): Promise<ClientMatch> {
  const key = clientKeyOf(headers);
  if (!key) throw new RollgateError(401, 'unauthorized', 'missing client key');
  const hash = await hashMemo.of(key);
  // Steady state: every environment's memo is fresh, so no promise per environment is needed.
  let snapshots: (LoadedSnapshot | null | undefined)[] = runtime.environments.map((env) => runtime.store.peek(env, now));
  if (snapshots.some((s) => s === undefined)) {
    // One environment that cannot be loaded is one without keys here: it must not fail a request
    // that carries another environment's key.
    const settled = await Promise.allSettled(runtime.environments.map((env) => runtime.store.get(kv, env, now)));
    snapshots = settled.map((r) => (r.status === 'fulfilled' ? r.value : undefined));
  }
  const match = findClientKey(hash, snapshots);
  if (!match) throw new RollgateError(401, 'unauthorized', 'unknown client key');
  hashMemo.remember(key, hash);
  if ((match.snapshot.keyScopes[match.index]! & needed) === 0) {
    const scope = needed === SCOPE_REPORT ? 'report' : 'evaluate';
    throw new RollgateError(
      403,
      'forbidden',
      `this client key lacks the "${scope}" scope; ${scope === 'report' ? 'POST /v1/metrics needs a report key (a server-side secret)' : 'OFREP needs an evaluate key'}`,
    );
  }
  return match;
}
