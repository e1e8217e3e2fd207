import type { WireReport } from './aggregates';

/** How one POST of a batch ended. */
export type SendResult =
  | { kind: 'accepted' }
  /** 429, 5xx, a network error or a timeout: keep the reports and try again later. */
  | { kind: 'retry'; status: number | null; retryAfterMs: number | null; message: string }
  /** Any other 4xx: the server will never take this batch. `badIndexes`: the reports a 422 named (the others were fine). */
  | { kind: 'rejected'; status: number; badIndexes: number[] | null; message: string };

/** The longest Retry-After honoured; a server asking for longer is asked again after this. */
const MAX_RETRY_AFTER_MS = 10 * 60_000;

export interface SendOptions {
  fetch: typeof fetch;
  endpoint: string;
  key: string;
  timeoutMs: number;
  now: () => number;
}

/** POSTs one batch to /v1/metrics. Never throws: every failure is a SendResult. */
export async function sendBatch(reports: readonly WireReport[], o: SendOptions): Promise<SendResult> {
  let res: Response;
  try {
    res = await o.fetch(o.endpoint, {
      method: 'POST',
      headers: { authorization: `Bearer ${o.key}`, 'content-type': 'application/json' },
      body: JSON.stringify({ reports }),
      signal: AbortSignal.timeout(o.timeoutMs),
    });
  } catch (err) {
    return { kind: 'retry', status: null, retryAfterMs: null, message: `network: ${err instanceof Error ? err.message : String(err)}` };
  }
  const text = await res.text().catch(() => '');
  if (res.status >= 200 && res.status < 300) return { kind: 'accepted' };
  if (res.status === 429 || res.status >= 500) {
    return { kind: 'retry', status: res.status, retryAfterMs: parseRetryAfter(res.headers.get('retry-after'), o.now()), message: `HTTP ${res.status}` };
  }
  const badIndexes = res.status === 422 ? indexesOf(text, reports.length) : null;
  return { kind: 'rejected', status: res.status, badIndexes, message: `HTTP ${res.status}: ${text.slice(0, 500)}` };
}

/** Retry-After in ms (delta-seconds or an HTTP date), bounded; null when absent or unreadable. */
export function parseRetryAfter(value: string | null, now: number): number | null {
  if (value === null) return null;
  const trimmed = value.trim();
  let ms: number;
  if (/^\d{1,10}$/.test(trimmed)) ms = Number(trimmed) * 1000;
  else if (!/^[A-Za-z]{3}, /.test(trimmed)) return null;
  else {
    const at = Date.parse(trimmed);
    if (Number.isNaN(at)) return null;
    ms = at - now;
  }
  return Math.min(MAX_RETRY_AFTER_MS, Math.max(0, ms));
}

/** The report indexes a 422 body lists (`errors: [{index}]`), or null when it names none we sent. */
function indexesOf(text: string, sent: number): number[] | null {
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    return null;
  }
  const errors = body !== null && typeof body === 'object' && Object.hasOwn(body, 'errors') ? (body as { errors: unknown }).errors : null;
  if (!Array.isArray(errors)) return null;
  const out = new Set<number>();
  for (const e of errors as unknown[]) {
    const index = e !== null && typeof e === 'object' && Object.hasOwn(e, 'index') ? (e as { index: unknown }).index : null;
    if (typeof index === 'number' && Number.isInteger(index) && index >= 0 && index < sent) out.add(index);
  }
  return out.size > 0 ? [...out].sort((a, b) => a - b) : null;
}

/** Exponential backoff with jitter: the ceiling doubles per attempt up to `maxMs`, the wait is uniform in [ceiling/2, ceiling]. */
export function backoffMs(attempt: number, baseMs: number, maxMs: number, random: number): number {
  const ceiling = Math.min(maxMs, baseMs * 2 ** Math.min(30, Math.max(0, attempt - 1)));
  return Math.round(ceiling * (0.5 + 0.5 * Math.min(1, Math.max(0, random))));
}
