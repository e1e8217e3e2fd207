/**
 * A minimal server-side OFREP client with event streams, as a Node service would write one:
 * bulk-evaluate, connect to the `eventStreams` URL, and bulk-evaluate again on each
 * `refetchEvaluation`. It keeps the values it holds and when they changed.
 */
export class OfrepSseClient {
  values = new Map<string, unknown>();
  readonly changes: { flag: string; value: unknown; at: number }[] = [];
  refetches = 0;
  private abort = new AbortController();
  private streaming: Promise<void> | undefined;

  constructor(
    private readonly baseUrl: string,
    private readonly key: string,
    private readonly context: Record<string, unknown>,
  ) {}

  /** Evaluates every flag; returns the event-stream URL the response lists. */
  async refresh(): Promise<string | undefined> {
    const res = await fetch(`${this.baseUrl}/ofrep/v1/evaluate/flags`, {
      method: 'POST',
      headers: { authorization: `Bearer ${this.key}`, 'content-type': 'application/json' },
      body: JSON.stringify({ context: this.context }),
    });
    if (res.status !== 200) throw new Error(`bulk evaluation answered ${res.status}`);
    const body = await res.json<{ flags: { key: string; value?: unknown }[]; eventStreams?: { type: string; url: string }[] }>();
    const at = Date.now();
    for (const f of body.flags) {
      if (this.values.has(f.key) && this.values.get(f.key) !== f.value) this.changes.push({ flag: f.key, value: f.value, at });
      this.values.set(f.key, f.value);
    }
    return body.eventStreams?.find((s) => s.type === 'sse')?.url;
  }

  /** Fetches the flags and follows the stream until stop(). */
  async start(): Promise<void> {
    const url = await this.refresh();
    if (!url) throw new Error('the bulk response lists no event stream');
    const res = await fetch(url, { signal: this.abort.signal, headers: { accept: 'text/event-stream' } });
    if (res.status !== 200 || !res.body) throw new Error(`the event stream answered ${res.status}`);
    this.streaming = this.read(res.body).catch(() => undefined);
  }

  private async read(body: ReadableStream<Uint8Array>): Promise<void> {
    const decoder = new TextDecoder();
    let buffer = '';
    for await (const chunk of body) {
      buffer += decoder.decode(chunk, { stream: true });
      let end: number;
      while ((end = buffer.indexOf('\n\n')) >= 0) {
        const event = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        for (const line of event.split('\n')) {
          if (!line.startsWith('data:')) continue;
          const data = JSON.parse(line.slice(5).trim()) as { type?: string };
          if (data.type === 'refetchEvaluation') {
            this.refetches++;
            await this.refresh();
          }
        }
      }
    }
  }

  stop(): Promise<void> | undefined {
    this.abort.abort();
    return this.streaming;
  }
}
