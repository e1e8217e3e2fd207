import type { HealthResponse, ProbeState, SummaryResponse, TickFailureNote } from '../lib/api';
import { expectPositionals } from '../lib/args';
import { CliError, EXIT } from '../lib/errors';
import { formatDuration } from '../lib/output';
import type { CommandDef } from '../command';

/** One environment in `health --json` (documented in docs/RUNBOOK.md). */
export interface HealthEnvironment {
  environment: string;
  version: number;
  source: string;
  publishedAt: string | null;
  ageSeconds: number | null;
  lastError: string | null;
  /** Probe counters from the admin API; null when none are configured or they are unavailable. */
  probes: ProbeState[] | null;
  /** How many rollouts are held because their tick fails (docs/RUNBOOK.md, "A rollout's tick fails"), from /health. */
  heldRollouts: number;
  /** Which ones, from the admin API (empty when the token cannot read it). */
  tickFailures: TickFailureNote[];
}

/** Probe counters of an environment; null when it has no health checks (the summary's list is empty). */
function probeList(probes: readonly ProbeState[]): ProbeState[] | null {
  return probes.length === 0 ? null : [...probes];
}

export const health: CommandDef = {
  name: 'health',
  summary: "The Worker's /health (snapshot version, age and source per environment) and probe counters.",
  usage: ['health [--env ENV] [--json]'],
  description: [
    '/health needs no token. Probe counters come from the admin API (GET /admin/v1/environments) when the',
    'Worker reports them and the token can read them. Exit 1 when an environment is not served from KV',
    '(degraded: last-known-good or fallback snapshot) or holds a rollout whose tick fails.',
  ].join('\n'),
  uses: { target: true, json: true },
  options: {},
  examples: ['rollgate health', 'rollgate health --env production --json'],
  async run(ctx) {
    expectPositionals(ctx.positionals, 'health', 0, 0, '');
    const target = ctx.target();
    const client = ctx.client();
    const h = (await client.get<HealthResponse>('/health', { auth: false, accept: [503] })).body;
    let names = Object.keys(h.environments ?? {});
    if (target.environmentSource !== 'default') {
      if (!names.includes(target.environment))
        throw new CliError(`environment "${target.environment}" is not served by ${target.url} (it serves ${names.join(', ')})`);
      names = [target.environment];
    }
    let probes: Record<string, ProbeState[] | null> = {};
    // Which rollouts are held comes from the admin API; /health (no key) only counts them.
    let held: Record<string, TickFailureNote[]> = {};
    let probesError: string | null = null;
    try {
      const s = (await client.get<SummaryResponse>('/admin/v1/environments')).body;
      probes = Object.fromEntries(s.environments.map((e) => [e.environment, probeList(e.probes)]));
      held = Object.fromEntries(
        s.environments.map((e) => [
          e.environment,
          e.activeRollouts.flatMap((r) => (r.tickError ? [{ rollout: r.id, flag: r.flag, since: r.tickError.since }] : [])),
        ]),
      );
    } catch (err) {
      if (!(err instanceof CliError)) throw err;
      probesError = err.message;
    }
    const envs: HealthEnvironment[] = names.map((name) => {
      const e = h.environments[name]!;
      return {
        environment: name,
        version: e.version,
        source: e.source,
        publishedAt: e.publishedAt,
        ageSeconds: e.ageSeconds,
        lastError: e.lastError ?? null,
        probes: probes[name] ?? null,
        heldRollouts: e.heldRollouts ?? 0,
        tickFailures: held[name] ?? [],
      };
    });
    // A held rollout is not rolled back or promoted by the automation: an operator must look.
    const healthy = envs.every((e) => e.source === 'kv' && e.heldRollouts === 0);
    if (ctx.json) {
      ctx.out.json({ url: target.url, status: healthy ? 'ok' : 'degraded', kvReachable: h.kv?.reachable ?? null, environments: envs, probesError });
      return healthy ? EXIT.ok : EXIT.failure;
    }
    const c = ctx.out.c;
    ctx.out.line(
      `${c.dim(`Rollgate at ${target.url}`)}  ${healthy ? c.green('ok') : c.red('degraded')}${h.kv && !h.kv.reachable ? c.red('  KV unreachable') : ''}`,
    );
    for (const e of envs) {
      ctx.out.line();
      const src = e.source === 'kv' ? c.green('kv') : c.red(`${e.source} (not from KV)`);
      const age = e.ageSeconds === null ? 'never published' : `published ${e.publishedAt} (${formatDuration(e.ageSeconds * 1000)} ago)`;
      ctx.out.line(`${c.bold(e.environment)}  snapshot version ${e.version} · source ${src} · ${age}`);
      if (e.lastError) ctx.out.line(`  ${c.red('last error')} ${e.lastError}`);
      if (e.heldRollouts > 0 && e.tickFailures.length === 0) {
        ctx.out.line(
          `  ${c.red('held')}       ${e.heldRollouts} rollout${e.heldRollouts === 1 ? '' : 's'} whose tick fails (rollgate status --env ${e.environment})`,
        );
      }
      for (const f of e.tickFailures) {
        ctx.out.line(
          `  ${c.red('held')}       rollout ${f.rollout} of ${f.flag}: its tick fails since ${f.since} (rollgate status ${f.flag} --env ${e.environment})`,
        );
      }
      if (probesError) ctx.out.line(`  probes     ${c.yellow(`probe counters unavailable: ${probesError}`)}`);
      else if (!e.probes) ctx.out.line('  probes     no health checks configured');
      else
        for (const p of e.probes) {
          const failures = typeof p.consecutiveFailures === 'number' ? p.consecutiveFailures : undefined;
          const state =
            failures === undefined ? '' : failures === 0 ? c.green('passing') : c.red(`${failures} consecutive failure${failures === 1 ? '' : 's'}`);
          const extra = [p.lastStatus !== undefined && p.lastStatus !== null ? `last ${String(p.lastStatus)}` : '', p.lastError ? String(p.lastError) : '']
            .filter(Boolean)
            .join(' · ');
          ctx.out.line(`  probe      ${p.name ?? p.url ?? '?'} ${state}${extra ? ` · ${extra}` : ''}`);
        }
    }
    return healthy ? EXIT.ok : EXIT.failure;
  },
};
