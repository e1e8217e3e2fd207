import { createServer, type Server } from 'node:http';
import type { Socket } from 'node:net';
import { build } from 'esbuild';

/**
 * The browser page: the real OpenFeature web SDK and OFREP web provider, polling off, showing
 * `new-checkout` for the targeting key in its query, and logging each value it shows with the time.
 */
const PAGE_SCRIPT = `
import { OpenFeature, ProviderEvents } from '@openfeature/web-sdk';
import { OFREPWebProvider } from '@openfeature/ofrep-web-provider';
const q = new URLSearchParams(location.search);
window.__loadId = Math.random();
window.__shown = [];
const el = document.getElementById('value');
await OpenFeature.setContext({ targetingKey: q.get('tk') });
await OpenFeature.setProviderAndWait(
  new OFREPWebProvider({ baseUrl: q.get('base'), headers: [['Authorization', 'Bearer ' + q.get('key')]], pollInterval: 0 }),
);
const client = OpenFeature.getClient();
const render = () => {
  const value = String(client.getBooleanValue('new-checkout', false));
  if (el.textContent !== value) window.__shown.push({ value, at: Date.now() });
  el.textContent = value;
};
client.addHandler(ProviderEvents.ConfigurationChanged, render);
render();
`;

const HTML =
  '<!doctype html><meta charset="utf-8"><title>rollgate stream</title><p>new-checkout: <b id="value">loading</b></p><script type="module" src="/app.js"></script>';

/** A page server on its own origin (another port than the Worker's). */
export class PageServer {
  private server!: Server;
  private readonly sockets = new Set<Socket>();
  origin = '';

  async start(): Promise<void> {
    const bundle = await build({
      stdin: { contents: PAGE_SCRIPT, resolveDir: process.cwd(), loader: 'js' },
      bundle: true,
      write: false,
      format: 'esm',
      platform: 'browser',
      target: 'es2022',
    });
    const js = bundle.outputFiles[0]!.text;
    this.server = createServer((req, res) => {
      if (req.url?.startsWith('/app.js')) res.writeHead(200, { 'content-type': 'text/javascript' }).end(js);
      else res.writeHead(200, { 'content-type': 'text/html' }).end(HTML);
    });
    this.server.on('connection', (s: Socket) => {
      this.sockets.add(s);
      s.on('close', () => this.sockets.delete(s));
    });
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    this.origin = `http://127.0.0.1:${(this.server.address() as { port: number }).port}`;
  }

  stop(): void {
    for (const s of this.sockets) s.destroy();
    this.server?.close();
  }
}
