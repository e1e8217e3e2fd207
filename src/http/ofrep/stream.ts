import type { Context } from 'hono';
import { SCOPE_EVALUATE } from '../../core/key-scopes';
import type { LoadedSnapshot } from '../../store/loaded-snapshot';
import { ofrepLimitKey, overLimit, RETRY_AFTER_SECONDS } from '../rate-limit';
import type { AppEnv } from '../types';
import { coloCache, latestSource } from './freshen';
import type { StreamHub } from './stream-hub';
import { issueStreamToken, verifyStreamToken } from './stream-token';

const encoder = new TextEncoder();
/** Providers close a stream after this long hidden; OFREP's default. */
const INACTIVITY_DELAY_SEC = 120;

/** Evaluate-scoped key ids of a snapshot, built once per snapshot. */
const evaluateKeys = new WeakMap<LoadedSnapshot, Set<string>>();
function hasEvaluateKey(snapshot: LoadedSnapshot, keyId: string): boolean {
  let set = evaluateKeys.get(snapshot);
  if (!set) {
    set = new Set();
    for (let i = 0; i < snapshot.keyIds.length; i++) if (snapshot.keyScopes[i]! & SCOPE_EVALUATE) set.add(snapshot.keyIds[i]!);
    evaluateKeys.set(snapshot, set);
  }
  return set.has(keyId);
}

/**
 * The bulk response's `eventStreams` JSON for the key at `index`, or '' when streams are off
 * (no STREAM_TOKEN_SECRET): clients then keep polling.
 */
export async function eventStreamsJson(secret: string | undefined, origin: string, snapshot: LoadedSnapshot, index: number, now: number): Promise<string> {
  if (!secret) return '';
  const keyName = snapshot.keyIds[index]!.slice(snapshot.environment.length + 1);
  const token = await issueStreamToken(secret, snapshot.environment, keyName, now);
  const url = `${origin}/ofrep/v1/stream?t=${token}&v=${snapshot.version}`;
  return `,"eventStreams":[{"type":"sse","url":${JSON.stringify(url)},"inactivityDelaySec":${INACTIVITY_DELAY_SEC}}]`;
}

function unauthorized(): Response {
  return new Response(null, { status: 401, headers: { 'cache-control': 'no-store' } });
}

/** A non-negative integer version from a query or Last-Event-ID, or undefined. */
function versionOf(text: string | null | undefined): number | undefined {
  if (!text || !/^[0-9]{1,15}$/.test(text)) return undefined;
  return Number(text);
}

/** GET /ofrep/v1/stream?t=<token>&v=<version>: an OFREP event stream of one environment. */
export async function streamResponse(c: Context<AppEnv>, hub: StreamHub, clock: () => number): Promise<Response> {
  const secret = c.env.STREAM_TOKEN_SECRET;
  const token = c.req.query('t');
  const connectedAt = c.get('now');
  if (!secret || !token) return unauthorized();
  const grant = await verifyStreamToken(secret, token, connectedAt);
  if (!grant) return unauthorized();
  const runtime = c.get('runtime');
  if (!runtime.environments.includes(grant.environment)) return unauthorized();
  const kv = c.env.FLAGS;
  const first = await runtime.store.get(kv, grant.environment, connectedAt);
  const keyId = `${grant.environment}:${grant.keyName}`;
  // A key revoked (or stripped of evaluate) since the token was issued connects no more.
  if (!first || !hasEvaluateKey(first, keyId)) return unauthorized();
  if (await overLimit(c.env.OFREP_RATE_LIMIT, 'OFREP_RATE_LIMIT', ofrepLimitKey(keyId, c.req.raw.headers))) {
    return new Response(null, { status: 429, headers: { 'retry-after': String(RETRY_AFTER_SECONDS) } });
  }
  if (!hub.acquire(keyId)) return new Response(null, { status: 429, headers: { 'retry-after': String(RETRY_AFTER_SECONDS) } });

  const { tickMs, heartbeatMs, maxLifeMs, retryMs } = hub.options;
  // What the client last saw: its reconnect's Last-Event-ID, else the version its URL was issued at.
  const seen = versionOf(c.req.header('last-event-id')) ?? versionOf(c.req.query('v'));
  const { readable, writable } = new TransformStream<Uint8Array, Uint8Array>();
  const writer = writable.getWriter();
  let lastWrite = connectedAt;
  let done = false;
  const write = async (text: string, at: number): Promise<void> => {
    lastWrite = at;
    await writer.write(encoder.encode(text));
  };
  const refetch = (version: number): string => `id: ${version}\ndata: {"type":"refetchEvaluation"}\n\n`;

  const run = async (): Promise<void> => {
    let served = first.version;
    await write(`retry: ${retryMs}\n${seen !== undefined && seen !== served ? refetch(served) : `id: ${served}\n: connected\n\n`}`, connectedAt);
    while (!done) {
      await new Promise((resolve) => setTimeout(resolve, tickMs));
      const now = clock();
      // The stream's own loop runs the fast check when it is due: an isolate serving only streams learns too.
      if (runtime.fast.claim(grant.environment, now)) await runtime.fast.run(grant.environment, () => latestSource(c.env, grant.environment), coloCache(), now);
      const snap = await runtime.store.get(kv, grant.environment, now);
      if (!snap || !hasEvaluateKey(snap, keyId)) break;
      if (snap.version !== served) {
        served = snap.version;
        await write(refetch(served), now);
      } else if (now - lastWrite >= heartbeatMs) {
        await write(': heartbeat\n\n', now);
      }
      if (now - connectedAt >= maxLifeMs) {
        // Rotate: the client reconnects after `retry`, with Last-Event-ID, to any isolate.
        await write(`retry: ${retryMs}\n\n`, now);
        break;
      }
    }
  };
  // The slot is given back once, as soon as the client goes away (the writer errors) or the loop ends.
  const finish = (): void => {
    if (done) return;
    done = true;
    hub.release(keyId);
  };
  writer.closed.then(finish, finish);
  void run()
    .catch(() => undefined) // the client went away: a write failed
    .finally(() => {
      finish();
      writer.close().catch(() => undefined);
    });

  return new Response(readable, {
    status: 200,
    headers: { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-store', 'x-accel-buffering': 'no' },
  });
}
