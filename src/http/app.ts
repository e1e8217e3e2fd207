import { type Context, Hono } from 'hono';
import { cors } from 'hono/cors';
import { RollgateError } from './errors';
import { adminRoutes } from './admin/routes';
import { healthRoutes } from './health';
import { metricsRoutes } from './metrics/routes';
import { logEvent } from '../log';
import { ofrepFastPath } from './ofrep/fast-path';
import { ofrepRoutes } from './ofrep/routes';
import { DEFAULT_STREAM_OPTIONS, StreamHub, type StreamOptions } from './ofrep/stream-hub';
import { runtimeFor } from './runtime';
import { uiRoutes } from './ui/routes';
import type { AppEnv } from './types';

/** Options for building the app; tests pass their own clock. */
export interface AppOptions {
  now?: () => number;
  /** Event-stream timing and bounds (tests shorten them). */
  streams?: Partial<StreamOptions>;
}

/** The Worker's HTTP surface: OFREP, metric reports, health and the admin API. */
export function createApp(options: AppOptions = {}): Hono<AppEnv> {
  const now = options.now ?? Date.now;
  const app = new Hono<AppEnv>();
  const streams = new StreamHub({ ...DEFAULT_STREAM_OPTIONS, ...options.streams });

  app.use('*', async (c, next) => {
    c.set('now', now());
    c.set('runtime', runtimeFor(c.env));
    c.set('clock', now);
    c.set('streams', streams);
    await next();
  });

  const ofrepCors = cors({
    origin: '*',
    allowMethods: ['GET', 'POST', 'OPTIONS'],
    allowHeaders: ['Content-Type', 'Authorization', 'X-API-Key', 'If-None-Match', 'Last-Event-ID'],
    exposeHeaders: ['ETag', 'Retry-After'],
    maxAge: 86400,
  });
  // Server-side SDKs send no Origin: they skip the CORS work, browsers (and preflights) get it.
  app.use('/ofrep/*', (c: Context<AppEnv, string>, next) => (c.req.raw.headers.has('origin') ? ofrepCors(c, next) : next()));

  app.route('/ofrep/v1', ofrepRoutes);
  app.route('/health', healthRoutes);
  app.route('/admin/v1', adminRoutes);
  app.route('/v1/metrics', metricsRoutes);
  app.route('/ui', uiRoutes);

  // The admin API, the metrics API and the dashboard answer their own errors (their own onError);
  // what reaches here is OFREP's (the event stream) or an unknown route, in OFREP's shape.
  app.notFound((c) => c.json({ errorDetails: `no route for ${c.req.method} ${new URL(c.req.url).pathname}` }, 404));
  app.onError((err, c) => {
    if (err instanceof RollgateError) {
      if (err.status === 401 || err.status === 403) return c.body(null, err.status);
      return c.json({ errorDetails: err.publicMessage }, err.status);
    }
    logEvent({ event: 'unhandled_error', path: new URL(c.req.url).pathname, name: err.name, message: err.message });
    return c.json({ errorDetails: 'internal error' }, 500);
  });
  // OFREP evaluation skips the router when it can (fast-path.ts); everything else is the router's.
  app.fetch = ofrepFastPath(app.fetch, { now, runtimeFor });
  return app;
}
