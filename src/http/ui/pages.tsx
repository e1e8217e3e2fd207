import { type Context, Hono } from 'hono';
import { isProtected } from '../../coordinator/protection';
import { ownValue } from '../../core/json';
import { resolveFlag } from '../../core/config/resolve-environment';
import { MINUTE_MS, minuteStart } from '../../core/metrics/minutes';
import type { MinuteStats } from '../../core/metrics/window-stats';
import { RollgateError } from '../errors';
import { authorizeToken, denial, type Role } from '../admin/admin-auth';
import { coordinator } from '../admin/coordinator-client';
import { isAuditCursor } from '../admin/request';
import type { StoredRolloutView } from '../../coordinator/rollout-ops';
import type { UiEnv } from './guard';
import { AuditPage } from './pages/audit';
import { EnvironmentPage } from './pages/environment';
import { FlagPage } from './pages/flag';
import { KeysPage } from './pages/keys';
import { type OverviewEnv, OverviewPage } from './pages/overview';
import { type RolloutSeries, RolloutPage } from './pages/rollout';

/** The signed-in pages (GET only: none of them changes anything). */
export const pageRoutes = new Hono<UiEnv>();

/** The most minutes a chart shows: what the metrics shards keep per minute (3 hours). */
const MAX_CHART_MINUTES = 180;

/** The environment of the path, authorized for `needed` with the admin API's own rule (404 when unknown, 403 when not allowed). */
export function uiEnvironment(c: Context<UiEnv>, needed: Role): string {
  const env = c.req.param('env') ?? '';
  if (!c.get('runtime').environments.includes(env)) throw new RollgateError(404, 'environment_not_found', `unknown environment "${env}"`);
  authorizeToken(c.get('viewer').token, env, needed);
  return env;
}

/** Whether the signed-in token may do what `needed` allows in `env` (to show or hide a form; the POST checks again). */
export function may(c: Context<UiEnv>, env: string, needed: Role): boolean {
  return denial(c.get('viewer').token, env, needed) === null;
}

pageRoutes.get('/', async (c) => {
  const viewer = c.get('viewer');
  const store = c.get('runtime').store;
  const settled = await Promise.allSettled(viewer.environments.map((env) => coordinator(c, env).summary()));
  const envs: OverviewEnv[] = viewer.environments.map((environment, i) => {
    const s = settled[i]!;
    return { environment, summary: s.status === 'fulfilled' ? s.value : null, edge: store.status(environment) };
  });
  return c.html(<OverviewPage viewer={viewer} envs={envs} now={c.get('now')} />);
});

pageRoutes.get('/env/:env', async (c) => {
  const env = uiEnvironment(c, 'viewer');
  const api = coordinator(c, env);
  const [from, to] = [Number(c.req.query('from')), Number(c.req.query('to'))];
  const compared = Number.isInteger(from) && Number.isInteger(to) && from > 0 && to > 0 ? { from, to } : null;
  const [config, rollouts, history] = await Promise.all([api.getConfig(), api.listRollouts(), api.configHistory(50, compared ?? undefined)]);
  if (!history.ok && compared) throw new RollgateError(404, history.code, history.error);
  const document = config.ok ? config.value : null;
  const query = (c.req.query('q') ?? '').slice(0, 256);
  return c.html(
    <EnvironmentPage
      viewer={c.get('viewer')}
      environment={env}
      config={document}
      rollouts={rollouts}
      query={query}
      canEdit={may(c, env, 'editor')}
      isProtected={isProtected(document?.document ?? null, env)}
      history={history.ok ? history.value : null}
      compared={compared}
    />,
  );
});

pageRoutes.get('/env/:env/flags/:flag', async (c) => {
  const env = uiEnvironment(c, 'viewer');
  const name = c.req.param('flag');
  const api = coordinator(c, env);
  const [config, rollouts, audit] = await Promise.all([api.getConfig(), api.listRollouts(), api.auditPage({ limit: 50, flag: name })]);
  const flag = config.ok ? ownValue(config.value.document.flags, name) : undefined;
  if (!flag) throw new RollgateError(404, 'not_found', `no flag "${name}" in ${env}`);
  return c.html(
    <FlagPage
      viewer={c.get('viewer')}
      environment={env}
      name={name}
      flag={resolveFlag(flag, env)}
      rollouts={rollouts.filter((r) => r.flag === name)}
      audit={audit.entries}
    />,
  );
});

/** Both cohorts per minute from the rollout's start to its end (or now), from its metrics shard; null when the shard does not answer. */
async function seriesOf(c: Context<UiEnv>, env: string, r: StoredRolloutView, baseline: string | null): Promise<RolloutSeries | null> {
  if ('broken' in r) return null;
  // A minute past the end (or now), so a decision in the last minute is not drawn on the edge.
  const to = minuteStart(r.endedAt ?? c.get('now')) + 2 * MINUTE_MS;
  const from = Math.max(minuteStart(r.startedAt), to - MAX_CHART_MINUTES * MINUTE_MS);
  const n = Math.max(1, Math.round((to - from) / MINUTE_MS));
  const shard = c.env.METRICS.getByName(`${env}/${r.flag}`);
  try {
    const [treatment, base] = await Promise.all([
      shard.perMinute(r.variant, to, n) as Promise<MinuteStats[]>,
      baseline === null ? Promise.resolve([]) : (shard.perMinute(baseline, to, n) as Promise<MinuteStats[]>),
    ]);
    return { treatment, baseline: base, from, to };
  } catch {
    return null;
  }
}

/** Renders a rollout page; actions answer with it too when they are refused. */
export async function renderRollout(c: Context<UiEnv>, env: string, id: string, error?: { status: number; message: string }): Promise<Response> {
  const api = coordinator(c, env);
  const [out, config] = await Promise.all([api.getRollout(id), api.getConfig()]);
  if (!out.ok) throw new RollgateError(404, out.code, out.error);
  const r = out.value;
  const document = config.ok ? config.value.document : null;
  const flag = document ? ownValue(document.flags, r.flag) : undefined;
  const baseline = 'broken' in r ? null : (r.baselineVariant ?? (flag ? (resolveFlag(flag, env).defaultVariant ?? null) : null));
  const page = (
    <RolloutPage
      viewer={c.get('viewer')}
      environment={env}
      rollout={r}
      series={await seriesOf(c, env, r, baseline)}
      canOperate={may(c, env, 'operator')}
      isProtected={isProtected(document, env)}
      error={error?.message}
    />
  );
  return c.html(page, (error?.status ?? 200) as 200);
}

pageRoutes.get('/env/:env/rollouts/:id', async (c) => renderRollout(c, uiEnvironment(c, 'viewer'), c.req.param('id')));

pageRoutes.get('/env/:env/audit', async (c) => {
  const env = uiEnvironment(c, 'viewer');
  const q = (k: string) => (c.req.query(k) ?? '').slice(0, 256);
  const filter = { flag: q('flag'), action: q('action'), actor: q('actor'), since: q('since'), until: q('until') };
  const cursor = q('cursor');
  // datetime-local fields carry no zone: the page says they are UTC. An unreadable one filters nothing.
  const instant = (text: string) => {
    const ms = text ? Date.parse(`${text}Z`) : NaN;
    return Number.isFinite(ms) ? ms : undefined;
  };
  const page = await coordinator(c, env).auditPage({
    limit: 50,
    flag: filter.flag || undefined,
    action: filter.action || undefined,
    actor: filter.actor || undefined,
    since: instant(filter.since),
    until: instant(filter.until),
    cursor: isAuditCursor(cursor) ? cursor : undefined,
  });
  return c.html(<AuditPage viewer={c.get('viewer')} environment={env} entries={page.entries} filter={filter} next={page.nextCursor} />);
});

pageRoutes.get('/env/:env/keys', async (c) => {
  const env = uiEnvironment(c, 'viewer');
  const api = coordinator(c, env);
  const [keys, config] = await Promise.all([api.listKeys(), api.getConfig()]);
  return c.html(
    <KeysPage
      viewer={c.get('viewer')}
      environment={env}
      keys={keys.keys}
      canOperate={may(c, env, 'operator')}
      isProtected={isProtected(config.ok ? config.value.document : null, env)}
    />,
  );
});
