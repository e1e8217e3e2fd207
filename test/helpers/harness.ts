import { env } from 'cloudflare:workers';
import { createExecutionContext, waitOnExecutionContext } from 'cloudflare:test';
import { createApp } from '../../src/http/app';
import { resetRuntime } from '../../src/http/runtime';
import { snapshotKey } from '../../src/store/keys';
import { type Snapshot } from '../../src/core/schema/snapshot';

/** A KV binding that counts reads and can be told to fail, to hold its answers, or to return garbage. */
export class ObservedKv {
  reads = 0;
  failing = false;
  /** While set, every read waits for it (a slow KV), then answers. */
  held: Promise<void> | null = null;
  constructor(private readonly inner: KVNamespace) {}
  get = (async (key: string, type?: unknown) => {
    this.reads++;
    if (this.held) await this.held;
    if (this.failing) throw new Error('KV is down (test)');
    return this.inner.get(key, type as 'text');
  }) as KVNamespace['get'];
}

/** A Worker app with a hand-driven clock and an observed KV, for one test. */
export class Harness {
  now = Date.UTC(2026, 10, 27, 12, 0, 0);
  readonly kv = new ObservedKv(env.FLAGS);
  readonly app = createApp({ now: () => this.now });
  vars: Record<string, unknown> = {};

  constructor() {
    resetRuntime();
  }

  /** Publishes a snapshot to the real (test-isolated) KV. */
  async publish(snapshot: Snapshot): Promise<void> {
    await env.FLAGS.put(snapshotKey(snapshot.$rollgate.environment), JSON.stringify(snapshot));
  }

  /** Writes a raw value, for garbage tests. */
  async putRaw(environment: string, value: string): Promise<void> {
    await env.FLAGS.put(snapshotKey(environment), value);
  }

  /** Sends a request through the app with this harness's bindings. */
  async fetch(path: string, init: RequestInit = {}): Promise<Response> {
    const ctx = createExecutionContext();
    const bindings = { ...env, ...this.vars, FLAGS: this.kv as unknown as KVNamespace };
    const res = await this.app.fetch(new Request(`https://rollgate.test${path}`, init), bindings, ctx);
    await waitOnExecutionContext(ctx);
    return res;
  }

  /** POSTs an OFREP evaluation with a client key. */
  evaluate(path: string, body: unknown, key: string | null, headers: Record<string, string> = {}): Promise<Response> {
    return this.fetch(path, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(key ? { authorization: `Bearer ${key}` } : {}), ...headers },
      body: typeof body === 'string' ? body : JSON.stringify(body),
    });
  }
}
