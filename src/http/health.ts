import { Hono } from 'hono';
import type { AppEnv } from './types';

/** Liveness and readiness: per-environment snapshot version, age and source. */
export const healthRoutes = new Hono<AppEnv>();

/** A trivial route: the floor the HTTP benchmark compares evaluation against. */
healthRoutes.get('/live', (c) => c.text('ok'));

healthRoutes.get('/', async (c) => {
  const now = c.get('now');
  const { store, environments } = c.get('runtime');
  // Each environment is reported on its own: one that cannot be loaded shows up degraded, never as a 500.
  const loaded = (await Promise.allSettled(environments.map((env) => store.get(c.env.FLAGS, env, now)))).map((r) =>
    r.status === 'fulfilled' ? r.value : undefined,
  );
  const statuses = environments.map((env) => store.status(env));
  const kvReachable = environments.every((env) => store.kvReachable(env));
  const ready = statuses.every((s) => s.source === 'kv');
  const body = {
    status: ready ? 'ok' : 'degraded',
    kv: { reachable: kvReachable },
    environments: Object.fromEntries(
      statuses.map((s, i) => [
        s.environment,
        {
          status: s.source === 'kv' ? 'ok' : 'degraded',
          version: s.version,
          source: s.source,
          publishedAt: s.publishedAt === null ? null : new Date(s.publishedAt).toISOString(),
          ageSeconds: s.publishedAt === null ? null : Math.max(0, Math.round((now - s.publishedAt) / 1000)),
          ...(s.lastError ? { lastError: s.lastError } : {}),
          // How many rollouts the coordinator holds because their tick fails (RUNBOOK "A rollout's
          // tick fails"). A count only: /health needs no key, and flag names can tell of unreleased
          // features; which rollouts they are is in the admin API (tickError).
          ...(loaded[i]?.tickFailures.length ? { heldRollouts: loaded[i].tickFailures.length } : {}),
        },
      ]),
    ),
  };
  return c.json(body, ready ? 200 : 503, { 'cache-control': 'no-store' });
});
