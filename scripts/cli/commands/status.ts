import type { RolloutView, StoredRolloutView, Summary, SummaryResponse } from '../lib/api';
import { expectPositionals } from '../lib/args';
import { CliError, EXIT } from '../lib/errors';
import { isoSeconds } from '../lib/output';
import { currentConfig } from '../lib/protection';
import { describeRollout, latestRollout } from '../lib/rollouts';
import type { CommandDef } from '../command';

/** One environment in `status --json` (documented in docs/RUNBOOK.md). */
export interface StatusEnvironment {
  environment: string;
  protected: boolean;
  configVersion: number | null;
  configUpdatedAt: string | null;
  configActor: string | null;
  snapshotVersion: number;
  publishedVersion: number;
  /** True when the latest snapshot has not reached KV yet. */
  publishPending: boolean;
  lastPublishError: string | null;
  activeRollouts: StoredRolloutView[];
  /** Only with a flag argument: the flag's active rollout, else its latest one, with history; null when none. */
  rollout?: RolloutView | null;
}

export const status: CommandDef = {
  name: 'status',
  summary: 'Environments, config and snapshot versions, and active rollouts with their health.',
  usage: ['status [flag] [--env ENV] [--json]'],
  description: [
    'Without --env (or ROLLGATE_ENV), shows every environment the token can see. With a flag, shows',
    "that flag's active rollout (or its latest one) with its stage, next promotion, last verdict with",
    'the numbers of treatment and baseline, and the last decision.',
  ].join('\n'),
  uses: { target: true, json: true },
  options: {},
  examples: ['rollgate status', 'rollgate status --env production new-checkout', 'rollgate status --json'],
  async run(ctx) {
    expectPositionals(ctx.positionals, 'status', 0, 1, 'flag');
    const flag = ctx.positionals[0];
    const target = ctx.target();
    const client = ctx.client();
    const answer = (await client.get<SummaryResponse>('/admin/v1/environments')).body;
    const summaries = answer.environments;
    let unavailable = answer.unavailable ?? [];
    let selected: Summary[] = summaries;
    if (target.environmentSource !== 'default') {
      const down = unavailable.find((u) => u.environment === target.environment);
      if (down) throw new CliError(`the coordinator of "${target.environment}" did not answer: ${down.error}`);
      unavailable = [];
      selected = summaries.filter((s) => s.environment === target.environment);
      if (selected.length === 0) {
        throw new CliError(
          `environment "${target.environment}" is not served by ${target.url} or not visible to this token (it can see: ${summaries.map((s) => s.environment).join(', ') || 'none'})`,
        );
      }
    }
    const envs: StatusEnvironment[] = await Promise.all(
      selected.map(async (s) => {
        const [cfg, rollout] = await Promise.all([
          currentConfig(client, s.environment),
          flag === undefined ? Promise.resolve(undefined) : latestRollout(client, s.environment, flag),
        ]);
        const e: StatusEnvironment = {
          environment: s.environment,
          protected: cfg.protected,
          configVersion: s.configVersion,
          configUpdatedAt: cfg.updatedAt,
          configActor: cfg.actor,
          snapshotVersion: s.snapshotVersion,
          publishedVersion: s.publishedVersion,
          publishPending: s.publishedVersion < s.snapshotVersion,
          lastPublishError: s.lastPublishError,
          activeRollouts: flag === undefined ? s.activeRollouts : s.activeRollouts.filter((r) => r.flag === flag),
        };
        if (flag !== undefined) e.rollout = rollout ?? null;
        return e;
      }),
    );
    if (ctx.json) {
      ctx.out.json({ url: target.url, ...(flag !== undefined ? { flag } : {}), environments: envs, ...(unavailable.length > 0 ? { unavailable } : {}) });
      return unavailable.length > 0 ? EXIT.failure : EXIT.ok;
    }
    const c = ctx.out.c;
    const now = ctx.io.now();
    ctx.out.line(c.dim(`Rollgate at ${target.url}`));
    for (const e of envs) {
      ctx.out.line();
      ctx.out.line(`${c.bold(e.environment)}${e.protected ? c.yellow(' (protected)') : ''}`);
      ctx.out.line(
        `  config     ${e.configVersion === null ? c.yellow('none written yet') : `version ${e.configVersion}${e.configUpdatedAt ? ` · written ${e.configUpdatedAt} by ${e.configActor}` : ''}`}`,
      );
      const pub = e.publishPending
        ? c.red(`published ${e.publishedVersion} — KV publish pending${e.lastPublishError ? `: ${e.lastPublishError}` : ''} (see RUNBOOK "KV publish fails")`)
        : c.green(`published ${e.publishedVersion}`);
      ctx.out.line(`  snapshot   version ${e.snapshotVersion} · ${pub}`);
      if (flag !== undefined) {
        if (!e.rollout) ctx.out.line(`  ${flag}: no rollout in ${e.environment}`);
        else {
          for (const l of describeRollout(e.rollout, now, c)) ctx.out.line(`  ${l}`);
          for (const [i, t] of (e.rollout.history ?? []).entries()) {
            const label = i === 0 ? '    history   ' : '              ';
            ctx.out.line(`${label}${isoSeconds(Date.parse(t.at))} ${t.event} ${t.fromStatus} ${t.fromPercent}% → ${t.toStatus} ${t.toPercent}% by ${t.actor}`);
          }
        }
        continue;
      }
      ctx.out.line(`  rollouts   ${e.activeRollouts.length === 0 ? 'none active' : `${e.activeRollouts.length} active`}`);
      for (const r of e.activeRollouts) for (const l of describeRollout(r, now, c)) ctx.out.line(`  ${l}`);
    }
    for (const u of unavailable) {
      ctx.out.line();
      ctx.out.line(`${c.bold(u.environment)}  ${c.red(`unavailable: ${u.error}`)}`);
    }
    return unavailable.length > 0 ? EXIT.failure : EXIT.ok;
  },
};
