import { runInDurableObject } from 'cloudflare:test';
import { env } from 'cloudflare:workers';
import type { RolloutCoordinator } from '../../src/coordinator/rollout-coordinator';

/** A request a receiver got. */
export interface Received {
  url: string;
  headers: Headers;
  body: string;
}

/** How the receiver answers one request: a status, or never (until the request's own signal aborts it). */
export type Answer = number | 'hang';

/**
 * A webhook receiver as the coordinator's injected fetcher (the Workers runtime cannot listen on a
 * port; test/e2e/notifications.e2e.test.ts uses a real one). Answers in the order of `script`,
 * then 200.
 */
export class FakeReceiver {
  readonly received: Received[] = [];

  constructor(private readonly script: Answer[] = []) {}

  readonly fetch = (async (input: RequestInfo | URL, init?: RequestInit): Promise<Response> => {
    const url = input instanceof Request ? input.url : String(input);
    this.received.push({ url, headers: new Headers(init?.headers), body: typeof init?.body === 'string' ? init.body : '' });
    const answer = this.script.shift() ?? 200;
    if (answer === 'hang') {
      // Only the caller's own timeout ends it, as with a real receiver that never answers.
      return new Promise<Response>((_resolve, reject) => init?.signal?.addEventListener('abort', () => reject(init.signal!.reason as Error)));
    }
    return new Response(null, { status: answer });
  }) as typeof fetch;

  /**
   * Resolves once the receiver has got `n` requests. Polls: the requests arrive in the Durable
   * Object's I/O context, and a promise resolved there must not wake the test's.
   */
  async waitFor(n: number): Promise<void> {
    while (this.received.length < n) await new Promise((resolve) => setTimeout(resolve, 5));
  }

  /** Installs this receiver as `environment`'s coordinator's webhook fetcher (lost on eviction, like any instance field). */
  async install(environment: string): Promise<void> {
    await runInDurableObject(env.COORDINATOR.getByName(environment), (instance: RolloutCoordinator) => {
      instance.deps.webhookFetch = this.fetch;
    });
  }
}

/** Verifies `X-Rollgate-Signature` as a receiver would: some v1 is the HMAC-SHA256 of "t.body" with `secret`. */
export async function verifySignature(header: string | null, body: string, secret: string): Promise<{ ok: boolean; t: number }> {
  const parts = (header ?? '').split(',').map((p) => p.split('=', 2) as [string, string]);
  const t = Number(parts.find(([k]) => k === 't')?.[1]);
  const key = await crypto.subtle.importKey('raw', new TextEncoder().encode(secret), { name: 'HMAC', hash: 'SHA-256' }, false, ['sign']);
  const mac = new Uint8Array(await crypto.subtle.sign('HMAC', key, new TextEncoder().encode(`${t}.${body}`)));
  const hex = [...mac].map((b) => b.toString(16).padStart(2, '0')).join('');
  return { ok: parts.some(([k, v]) => k === 'v1' && v === hex), t };
}
