import { DELIVERY_TIMEOUT_MS } from '../core/notifications/retry';
import { signatureHeader } from '../core/notifications/signature';
import { logEvent, nameForLog } from '../log';
import type { AttemptResult, QueuedDelivery } from './notification-outbox';
import type { CoordinatorState } from './state';
import type { WebhookSecrets } from './webhook-secrets';

/** Rounds of one run: after a success the receiver's next delivery is due at once; the rest wait for the next alarm. */
const MAX_ROUNDS = 10;
/** A network error's message is stored with every attempt: keep it short. */
const MAX_ERROR_CHARS = 500;

/**
 * Sends due deliveries from the outbox: each receiver's oldest pending one, receivers in parallel,
 * each attempt signed and bounded by DELIVERY_TIMEOUT_MS. One run at a time, in order; it only
 * ever runs from the alarm, never on a tick's or a request's path. `fetcher` and `secrets` are
 * read on every attempt, so tests can swap the fetcher.
 */
export class WebhookSender {
  private chain: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly s: Pick<CoordinatorState, 'outbox' | 'environment'>,
    private readonly fetcher: () => typeof fetch,
    private readonly secrets: (environment: string) => WebhookSecrets,
    private readonly clock: () => number = () => Date.now(),
  ) {}

  /** Sends what is due, then arms the alarm for what is left. Never rejects: a failure is logged, the alarm comes again. */
  run(): Promise<void> {
    const run = this.chain
      .then(() => this.runOnce())
      .catch((err: unknown) =>
        logEvent({ event: 'notifications_failed', environment: nameForLog(this.s.environment), message: (err as Error)?.message ?? String(err) }),
      );
    this.chain = run.catch(() => undefined);
    return run;
  }

  private async runOnce(): Promise<void> {
    for (let round = 0; round < MAX_ROUNDS; round++) {
      const heads = this.s.outbox.dueHeads(this.clock());
      if (heads.length === 0) break;
      await Promise.all(heads.map((d) => this.attempt(d)));
    }
    await this.s.outbox.arm();
  }

  private async attempt(d: QueuedDelivery): Promise<void> {
    const { outbox, environment } = this.s;
    const startedAt = this.clock();
    const attempt = outbox.begin(d, startedAt);
    const secrets = this.secrets(environment());
    const result = secrets.ok ? await this.send(d, secrets.secrets, startedAt) : { ok: false, status: null, error: secrets.error, durationMs: 0 };
    const status = outbox.finish(d, attempt, startedAt, result, this.clock());
    if (status === 'failed') {
      logEvent({
        event: 'notification_failed',
        environment: environment(),
        delivery: d.id,
        notification: d.notification,
        attempts: attempt,
        error: result.error,
      });
    }
  }

  private async send(d: QueuedDelivery, secrets: readonly string[], startedAt: number): Promise<AttemptResult> {
    try {
      const res = await this.fetcher()(d.url, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'user-agent': 'Rollgate-Webhook/1',
          'x-rollgate-delivery': d.id,
          'x-rollgate-event': d.event,
          'x-rollgate-signature': await signatureHeader(secrets, Math.floor(startedAt / 1000), d.body),
        },
        body: d.body,
        signal: AbortSignal.timeout(DELIVERY_TIMEOUT_MS),
        // A redirect is an answer, not a place to send a signed payload to.
        redirect: 'manual',
      });
      await res.body?.cancel();
      const ok = res.status >= 200 && res.status < 300;
      return { ok, status: res.status, error: ok ? null : `status ${res.status}`, durationMs: this.clock() - startedAt };
    } catch (err) {
      const name = (err as Error)?.name;
      const error = name === 'TimeoutError' ? `timed out after ${DELIVERY_TIMEOUT_MS} ms` : (err as Error)?.message || String(name ?? err);
      return { ok: false, status: null, error: error.slice(0, MAX_ERROR_CHARS), durationMs: this.clock() - startedAt };
    }
  }
}
