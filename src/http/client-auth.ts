import { sha256Hex } from '../core/sha256';
import type { LoadedSnapshot } from '../store/loaded-snapshot';
import { RollgateError } from './errors';
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

/**
 * The snapshot whose environment accepts the key's hash, or undefined. Every stored hash of every
 * environment is compared, so the time taken does not depend on which key matched or where.
 */
export function environmentForKey(hash: string, snapshots: readonly (LoadedSnapshot | null | undefined)[]): LoadedSnapshot | undefined {
  let found: LoadedSnapshot | undefined;
  for (const snap of snapshots) {
    if (!snap) continue;
    for (const stored of snap.keyHashes) {
      if (equalHex(stored, hash) && !found) found = snap;
    }
  }
  return found;
}

/** Hashes of recently seen keys: the SHA-256 of a key is the same every time, and digesting costs more than the evaluation. */
const hashMemo = new Map<string, string>();
const HASH_MEMO_LIMIT = 1024;

async function hashOf(key: string): Promise<string> {
  const hit = hashMemo.get(key);
  if (hit !== undefined) return hit;
  const hash = await sha256Hex(key);
  if (hashMemo.size >= HASH_MEMO_LIMIT) hashMemo.clear();
  hashMemo.set(key, hash);
  return hash;
}

/** The snapshot of the environment whose client key the request carries; 401 otherwise. */
export async function authenticateClient(headers: Headers, runtime: Runtime, kv: KVNamespace, now: number): Promise<LoadedSnapshot> {
  const key = clientKeyOf(headers);
  if (!key) throw new RollgateError(401, 'missing client key');
  const hash = await hashOf(key);
  // Steady state: every environment's memo is fresh, so no promise per environment is needed.
  let snapshots: (LoadedSnapshot | null | undefined)[] = runtime.environments.map((env) => runtime.store.peek(env, now));
  if (snapshots.some((s) => s === undefined)) {
    // One environment that cannot be loaded is one without keys here: it must not fail a request
    // that carries another environment's key.
    const settled = await Promise.allSettled(runtime.environments.map((env) => runtime.store.get(kv, env, now)));
    snapshots = settled.map((r) => (r.status === 'fulfilled' ? r.value : undefined));
  }
  const snapshot = environmentForKey(hash, snapshots);
  if (!snapshot) throw new RollgateError(401, 'unknown client key');
  return snapshot;
}
