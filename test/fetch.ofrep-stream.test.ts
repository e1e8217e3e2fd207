import { reset } from 'cloudflare:test';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Snapshot } from '../src/core/schema/snapshot';
import { createApp } from '../src/http/app';
import { keyOf, snapshotOf } from './helpers/fixture';
import { Harness } from './helpers/harness';

const BULK = '/ofrep/v1/evaluate/flags';
const ENVS = ['development', 'staging', 'production'];

/** A harness whose event streams tick every few milliseconds and allow few connections. */
class StreamHarness extends Harness {
  override readonly app = createApp({ now: () => this.now, streams: { tickMs: 5, maxPerKey: 2, maxPerIsolate: 3 } });
}

let h: StreamHarness;
const open: ReadableStreamDefaultReader<Uint8Array>[] = [];

beforeEach(async () => {
  h = new StreamHarness();
  for (const env of ENVS) await h.publish(await snapshotOf(env, 3));
});
afterEach(async () => {
  for (const r of open.splice(0)) await r.cancel().catch(() => undefined);
  await reset();
});

interface Bulk {
  eventStreams?: { type: string; url: string; inactivityDelaySec: number }[];
}

async function streamUrl(env = 'production'): Promise<URL> {
  const res = await h.evaluate(BULK, { context: {} }, keyOf(env));
  const body = await res.json<Bulk>();
  return new URL(body.eventStreams![0]!.url);
}

/** Connects to a stream URL (path and query of `url`) through the harness. */
function connect(url: URL, headers: Record<string, string> = {}): Promise<Response> {
  return h.fetch(`${url.pathname}${url.search}`, { headers });
}

/** Reads a stream's text until it contains `needle`; returns everything read so far. */
class SseReader {
  text = '';
  private readonly decoder = new TextDecoder();
  constructor(readonly reader: ReadableStreamDefaultReader<Uint8Array>) {
    open.push(reader);
  }
  async until(needle: string): Promise<string> {
    while (!this.text.includes(needle)) {
      const { done, value } = await this.reader.read();
      if (done) throw new Error(`stream ended before ${JSON.stringify(needle)}; got ${JSON.stringify(this.text)}`);
      this.text += this.decoder.decode(value, { stream: true });
    }
    return this.text;
  }
  /** Reads to the end; returns true when the server closed the stream. */
  async ended(): Promise<boolean> {
    for (;;) {
      const { done, value } = await this.reader.read();
      if (done) return true;
      this.text += this.decoder.decode(value, { stream: true });
    }
  }
}

function sse(res: Response): SseReader {
  return new SseReader(res.body!.getReader());
}

describe('OFREP event streams', () => {
  it('lists a signed, key-free stream URL in the bulk response, stable within its bucket', async () => {
    const first = await h.evaluate(BULK, { context: {} }, keyOf('production'));
    const body = await first.json<Bulk>();
    expect(body.eventStreams).toHaveLength(1);
    const entry = body.eventStreams![0]!;
    expect(entry).toMatchObject({ type: 'sse', inactivityDelaySec: 120 });
    const url = new URL(entry.url);
    expect(url.origin).toBe('https://rollgate.test');
    expect(url.pathname).toBe('/ofrep/v1/stream');
    expect(url.searchParams.get('v')).toBe('3');
    expect(entry.url).not.toContain(keyOf('production'));
    h.now += 60_000;
    const again = await h.evaluate(BULK, { context: {} }, keyOf('production'), { 'if-none-match': first.headers.get('etag')! });
    expect(again.status).toBe(304);
  });

  it('omits eventStreams when no STREAM_TOKEN_SECRET is set', async () => {
    h.vars = { STREAM_TOKEN_SECRET: '' };
    const body = await (await h.evaluate(BULK, { context: {} }, keyOf('production'))).json<Bulk>();
    expect(body).not.toHaveProperty('eventStreams');
  });

  it('streams refetchEvaluation when the snapshot version changes, with CORS, retry and heartbeats', async () => {
    const res = await connect(await streamUrl(), { origin: 'https://shop.example' });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toContain('text/event-stream');
    expect(res.headers.get('access-control-allow-origin')).toBe('*');
    const s = sse(res);
    await s.until('id: 3\n');
    expect(s.text).toMatch(/^retry: \d+\n/);
    expect(s.text).not.toContain('refetchEvaluation');

    await h.publish(await snapshotOf('production', 4));
    h.now += 6_000; // past SNAPSHOT_REFRESH_MS: the isolate's store re-reads KV
    const text = await s.until('"refetchEvaluation"');
    expect(text).toContain('id: 4\ndata: {"type":"refetchEvaluation"}\n\n');

    h.now += 16_000; // no change, no write for longer than the heartbeat period
    await s.until(': heartbeat\n\n');
  });

  it('sends refetchEvaluation at once on a reconnect that missed a version (Last-Event-ID)', async () => {
    const url = await streamUrl();
    const res = await connect(url, { 'last-event-id': '2' });
    const s = sse(res);
    expect(await s.until('refetchEvaluation')).toContain('id: 3\ndata: {"type":"refetchEvaluation"}');
  });

  it('refuses a missing, forged, tampered or expired token with 401', async () => {
    const url = await streamUrl();
    const token = url.searchParams.get('t')!;
    const [exp, env, name, sig] = token.split('.') as [string, string, string, string];
    const variants = [
      '',
      `${exp}.${env}.${name}.${sig.slice(0, -2)}${sig.endsWith('A') ? 'BB' : 'AA'}`,
      `${exp}.${btoa('staging').replace(/=+$/, '')}.${name}.${sig}`,
      `${Number(exp) + 900_000}.${env}.${name}.${sig}`,
      'x'.repeat(5000),
    ];
    for (const t of variants) {
      const res = await h.fetch(`/ofrep/v1/stream?t=${encodeURIComponent(t)}`);
      expect(res.status, t.slice(0, 40)).toBe(401);
    }
    h.now += 31 * 60_000;
    expect((await connect(url)).status).toBe(401);
  });

  it('closes the streams of a revoked key at the first snapshot without it, and refuses it after', async () => {
    const url = await streamUrl();
    const s = sse(await connect(url));
    await s.until('id: 3\n');
    const revoked: Snapshot = await snapshotOf('production', 4);
    revoked.$rollgate.clientKeys = revoked.$rollgate.clientKeys.filter((k) => k.name !== 'test');
    await h.publish(revoked);
    h.now += 6_000;
    expect(await s.ended()).toBe(true);
    expect(s.text).not.toContain('refetchEvaluation');
    expect((await connect(url)).status).toBe(401);
  });

  it('bounds open streams per key and per isolate, and frees a slot when a client leaves', async () => {
    const prod = await streamUrl('production');
    const a = sse(await connect(prod));
    const b = sse(await connect(prod));
    await a.until('id: 3');
    await b.until('id: 3');
    const third = await connect(prod);
    expect(third.status).toBe(429);
    expect(third.headers.get('retry-after')).toMatch(/^\d+$/);
    // Another key still gets its own slot, up to the isolate's bound.
    const staging = await streamUrl('staging');
    const c = sse(await connect(staging));
    await c.until('id: 3');
    expect((await connect(await streamUrl('development'))).status).toBe(429);
    await a.reader.cancel();
    let reopened = await connect(prod);
    // The slot is given back when the cancelled stream's writer errors, a few event-loop turns later.
    while (reopened.status === 429) {
      await new Promise((r) => setTimeout(r, 5));
      reopened = await connect(prod);
    }
    expect(reopened.status).toBe(200);
    await sse(reopened).until('id: 3');
  });
});
