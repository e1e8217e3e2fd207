/**
 * OFREP answers for the `http` benchmark: the seeded contexts, the timed context, and the
 * byte-for-byte check of a running Worker's single and bulk answers against evaluateFlag /
 * evaluateAll on the snapshot read back from KV (run before any timing, per worker timed).
 */
import { evaluateAll, evaluateFlag } from '../../src/core/flags/flag-set';
import { zSnapshot } from '../../src/core/schema/snapshot';
import { mulberry32 } from '../../test/helpers/seeded-random';
import { findClientKey } from '../../src/http/client-auth';
import { etagOf } from '../../src/http/ofrep/etag';
import { eventStreamsJson } from '../../src/http/ofrep/stream';
import { sha256Hex } from '../../src/core/sha256';
import { devSecrets } from './workerd-server';
import { resolutionJson, statusOf } from '../../src/http/ofrep/serialize';
import { type LoadedSnapshot, loadSnapshot } from '../../src/store/loaded-snapshot';
import { snapshotKey } from '../../src/store/keys';
import { fmtInt } from './format';
import type { RollgateServer } from './workerd-server';
import { fmtPct } from './workerd-stats';

export const ENV = 'staging';
export const FLAG = 'new-checkout';

/** The context of every timed OFREP request: reaches `fractional` after the `$ref` checks miss. */
export const TIMED_CONTEXT = {
  targetingKey: 'user-4711',
  email: 'jane.doe@mailbox.example',
  platform: 'ios',
  appVersion: '5.3.1',
  country: 'DE',
  plan: 'business',
};

/** Seeded contexts over the attributes the web-shop flags look at. */
export function contexts(n: number): Record<string, unknown>[] {
  const rng = mulberry32(0x0f2e9);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rng() * xs.length)]!;
  const out: Record<string, unknown>[] = [TIMED_CONTEXT, {}];
  const emails = ['ana.silva@mailbox.example', 'li.wei@mailbox.example', 'ops@shop.example', 'kim@shop.example', 'someone@mailbox.example'];
  while (out.length < n) {
    const ctx: Record<string, unknown> = { targetingKey: `user-${Math.floor(rng() * 1e9)}` };
    if (rng() < 0.8) ctx['email'] = rng() < 0.5 ? pick(emails) : `u${Math.floor(rng() * 1e6)}@mailbox.example`;
    if (rng() < 0.6) ctx['platform'] = pick(['ios', 'android', 'web']);
    if (rng() < 0.6) ctx['appVersion'] = pick(['4.9.0', '5.1.9', '5.2.0', '5.10.3', '6.0.0-beta.1']);
    if (rng() < 0.6) ctx['country'] = pick(['NL', 'BE', 'DE', 'AT', 'US', 'FR', 'GB']);
    if (rng() < 0.5) ctx['plan'] = pick(['consumer', 'business', 'member']);
    if (rng() < 0.1) delete ctx['targetingKey'];
    out.push(ctx);
  }
  return out;
}

/** Where the bulk answer's event stream is signed and for which key: as the Worker under test signs it. */
interface StreamSigning {
  secret: string | undefined;
  origin: string;
  keyIndex: number;
}

async function bulkBody(snapshot: LoadedSnapshot, context: Record<string, unknown>, now: number, streams: StreamSigning): Promise<string> {
  // Mirrors src/http/ofrep/routes.ts; any difference shows up as a mismatch below.
  const results = evaluateAll(snapshot.flags, context, now);
  let body = '{"flags":[';
  for (let i = 0; i < results.length; i++) body += (i ? ',' : '') + resolutionJson(results[i]!);
  body += `]${await eventStreamsJson(streams.secret, streams.origin, snapshot, streams.keyIndex, now)}`;
  return `${body},"metadata":${JSON.stringify(snapshot.flags.metadata)}}`;
}

/** The signing the Worker does for the key in `headers` (its secret from .dev.vars.example, as the server is given). */
async function streamSigning(snapshot: LoadedSnapshot, url: string, headers: Record<string, string>): Promise<StreamSigning> {
  const key = /^Bearer (.+)$/.exec(headers['authorization'] ?? '')?.[1] ?? '';
  const match = findClientKey(await sha256Hex(key), [snapshot]);
  if (!match) throw new Error('the benchmark client key is not in the snapshot');
  return { secret: devSecrets()['STREAM_TOKEN_SECRET'], origin: new URL(url).origin, keyIndex: match.index };
}

/** Byte-for-byte answer check of single and bulk OFREP against the evaluator on the KV snapshot. */
export async function checkAnswers(
  server: RollgateServer,
  url: string,
  headers: Record<string, string>,
  n: number,
  allFlagsFor: number,
  label: string,
): Promise<{ notes: string[]; etag: string; version: number; snapshot: LoadedSnapshot; raw: string; singleBytes: number }> {
  const raw = await (await server.kv()).get(snapshotKey(ENV), 'text');
  if (raw === null) throw new Error(`no ${snapshotKey(ENV)} in KV`);
  const { loaded } = loadSnapshot(zSnapshot.parse(JSON.parse(raw)), 'kv', {}, raw);
  const health = await (await fetch(`${url}/health`)).json<{ environments: Record<string, { version: number }> }>();
  if (health.environments[ENV]?.version !== loaded.version) {
    throw new Error(`the Worker serves ${ENV} v${health.environments[ENV]?.version}, KV holds v${loaded.version}`);
  }
  const signing = await streamSigning(loaded, url, headers);
  const mismatches: string[] = [];
  const outcomes = new Map<string, number>();
  let singles = 0;
  let bulks = 0;
  const ctxs = contexts(n);
  for (let i = 0; i < ctxs.length; i++) {
    const ctx = ctxs[i]!;
    const body = JSON.stringify({ context: ctx });
    const keys = i < allFlagsFor ? loaded.flags.list.map((f) => f.key) : [FLAG];
    for (const key of keys) {
      const r = await fetch(`${url}/ofrep/v1/evaluate/flags/${key}`, { method: 'POST', headers, body });
      const text = await r.text();
      const expected = evaluateFlag(loaded.flags, key, ctx, Date.now());
      const want = resolutionJson(expected);
      singles++;
      if (r.status !== statusOf(expected) || text !== want) {
        mismatches.push(`single ${key} context #${i}: got ${r.status} ${text}, expected ${statusOf(expected)} ${want}`);
      }
      if (key === FLAG) outcomes.set(`${expected.reason}:${expected.variant}`, (outcomes.get(`${expected.reason}:${expected.variant}`) ?? 0) + 1);
    }
    const r = await fetch(`${url}/ofrep/v1/evaluate/flags`, { method: 'POST', headers, body });
    const text = await r.text();
    const want = await bulkBody(loaded, ctx, Date.now(), signing);
    const etag = await etagOf(want);
    bulks++;
    if (r.status !== 200 || text !== want || r.headers.get('etag') !== etag) {
      mismatches.push(
        `bulk context #${i}: got ${r.status} etag ${r.headers.get('etag')} ${text.slice(0, 200)}…, expected 200 etag ${etag} ${want.slice(0, 200)}…`,
      );
    }
    const again = await fetch(`${url}/ofrep/v1/evaluate/flags`, { method: 'POST', headers: { ...headers, 'if-none-match': etag }, body });
    const againText = await again.text();
    if (again.status !== 304 || againText !== '' || again.headers.get('etag') !== etag) {
      mismatches.push(
        `bulk If-None-Match context #${i}: got ${again.status} etag ${again.headers.get('etag')} "${againText.slice(0, 80)}", expected 304 with etag ${etag} and no body`,
      );
    }
    if (mismatches.length >= 5) break;
  }
  const live = await fetch(`${url}/health/live`);
  const liveText = await live.text();
  if (live.status !== 200 || liveText !== 'ok') mismatches.push(`GET /health/live: ${live.status} ${liveText}`);
  const noKey = await fetch(`${url}/ofrep/v1/evaluate/flags/${FLAG}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
  await noKey.arrayBuffer();
  if (noKey.status !== 401) mismatches.push(`no client key: got ${noKey.status}, expected 401`);
  if (mismatches.length) throw new Error(`OFREP answers differ from evaluateFlag/evaluateAll on the KV snapshot:\n  ${mismatches.join('\n  ')}`);

  const timed = JSON.stringify({ context: TIMED_CONTEXT });
  const etag = await etagOf(await bulkBody(loaded, TIMED_CONTEXT, Date.now(), signing));
  const spread = [...outcomes]
    .sort((a, b) => b[1] - a[1])
    .map(([k, v]) => `${k} ${fmtPct(v / ctxs.length)}`)
    .join(', ');
  return {
    etag,
    version: loaded.version,
    snapshot: loaded,
    raw,
    singleBytes: new TextEncoder().encode(resolutionJson(evaluateFlag(loaded.flags, FLAG, TIMED_CONTEXT, Date.now()))).byteLength,
    notes: [
      `Answer check (before timing, ${label}): ${fmtInt(singles)} single and ${fmtInt(bulks)} bulk OFREP answers for ${fmtInt(ctxs.length)} seeded contexts (every flag for the first ${allFlagsFor}) are byte-identical to evaluateFlag / evaluateAll on the ${ENV} snapshot v${loaded.version} read back from KV; every bulk ETag is the body's SHA-256 and answers 304 with no body when sent back; GET /health/live is "ok"; no client key is 401. ${FLAG}: ${spread}.`,
      `Timed body: ${timed} (${FLAG} → ${resolutionJson(evaluateFlag(loaded.flags, FLAG, TIMED_CONTEXT, Date.now()))}).`,
    ],
  };
}
