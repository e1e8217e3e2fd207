import { scheduleOf } from '../../../src/core/rollout/strategies';
import { type Strategy, zStrategy } from '../../../src/core/schema/rollout';
import type { RolloutView } from '../lib/api';
import { expectPositionals, numberOption, requiredOption, stringOption } from '../lib/args';
import { CliError, EXIT, UsageError } from '../lib/errors';
import { ApiError } from '../lib/http';
import { LiveDisplay, PlainDisplay, silentDisplay, waitForRollout } from '../lib/progress';
import { currentConfig, protectedWrite } from '../lib/protection';
import { describeRollout } from '../lib/rollouts';
import { describeStages, humanSeconds, parseDuration, parseHealth, parseStages } from '../lib/stages';
import type { CommandDef, Ctx } from '../command';

/** Seconds from a --wait/--bake value: plain seconds or 30m, 2h, 1d. */
function durationOption(ctx: Ctx, name: string): number | undefined {
  const raw = stringOption(ctx.values, name);
  if (raw === undefined) return undefined;
  const s = parseDuration(raw);
  if (s === null) throw new UsageError(`--${name} must be seconds (600) or a duration such as 10m, 2h, 1d — not "${raw}"`, ctx.command);
  return s;
}

export const deploy: CommandDef = {
  name: 'deploy',
  summary: 'Start a staged rollout of a flag variant; with --wait, watch it.',
  usage: [
    'deploy <flag> --variant V --strategy safe|fast|instant [--baseline B] --env ENV',
    '       [--stages 5:0,25:1h,100:2h] [--bake SECONDS] [--health key=value,…] [--reason TEXT]',
    '       [--wait SECONDS [--interval SECONDS]] [--yes] [--json]',
  ],
  description: [
    'Strategies: safe 5→10→25→50→75→100 % over 5 days + 48 h bake; fast over 60 h + 12 h',
    'bake; instant 100 % + 1 h bake. --stages replaces the schedule (percent:time after start, in seconds',
    'or 30m/2h/1d; must start at 0 and end at 100) and --bake the bake; --strategy then defaults to safe.',
    '--health overrides thresholds: maxErrorRate, maxP95Ms, maxP99Ms, sustainedMinutes, minSamples,',
    'maxProbeFailures, bakeMaxErrorRate, bakeMaxP95Ms, alpha (the false-rollback budget, 0.01) and',
    'onEnvironmentWide (hold or rollback when the baseline breaches as well).',
    '',
    'With --wait, polls the rollout every --interval seconds (default 5): a live display on a terminal,',
    'log lines otherwise. Exit 0 when it completes or is healthy when the wait ends; 3 when it is rolled',
    'back; 4 when the wait ends with insufficient health data; 1 when it ends unhealthy.',
  ].join('\n'),
  uses: { target: true, json: true, yes: true },
  options: {
    variant: { type: 'string', valueName: 'V', description: 'the variant to roll out' },
    baseline: { type: 'string', valueName: 'B', description: "the variant everyone else gets (default: the flag's default variant)" },
    strategy: { type: 'string', valueName: 'S', description: 'safe | fast | instant' },
    stages: { type: 'string', valueName: 'SPEC', description: 'custom stages, e.g. 5:0,25:3600,100:7200 (percent:seconds after start)' },
    bake: { type: 'string', valueName: 'SECONDS', description: 'bake time at 100 % (seconds, or 30m/2h/1d)' },
    health: { type: 'string', valueName: 'K=V,…', description: 'health threshold overrides, e.g. minSamples=20,maxErrorRate=0.02' },
    reason: { type: 'string', valueName: 'TEXT', description: 'why, recorded in the audit log' },
    wait: { type: 'string', valueName: 'SECONDS', description: 'watch the rollout for this long (seconds, or 30m/2h)' },
    interval: { type: 'string', valueName: 'SECONDS', description: 'poll interval while waiting (default 5)' },
  },
  examples: [
    'rollgate deploy new-checkout --variant on --strategy safe --env staging --reason JIRA-123',
    'rollgate deploy new-checkout --variant on --stages 5:0,50:10m,100:20m --bake 10m --env staging --wait 30m',
  ],
  async run(ctx) {
    expectPositionals(ctx.positionals, 'deploy', 1, 1, '<flag>');
    const flag = ctx.positionals[0]!;
    const variant = requiredOption(ctx.values, 'variant', 'deploy', '(the variant to roll out)');
    const stagesSpec = stringOption(ctx.values, 'stages');
    const strategyRaw = stringOption(ctx.values, 'strategy') ?? (stagesSpec !== undefined ? 'safe' : undefined);
    if (strategyRaw === undefined) throw new UsageError('missing --strategy (safe, fast or instant) or --stages', 'deploy');
    const strategyParsed = zStrategy.safeParse(strategyRaw);
    if (!strategyParsed.success) throw new UsageError(`--strategy must be safe, fast or instant, not "${strategyRaw}"`, 'deploy');
    const strategy: Strategy = strategyParsed.data;
    const stages = stagesSpec === undefined ? undefined : parseStages(stagesSpec, 'deploy');
    const bakeSeconds = durationOption(ctx, 'bake');
    const healthSpec = stringOption(ctx.values, 'health');
    const health = healthSpec === undefined ? undefined : parseHealth(healthSpec, 'deploy');
    const waitSeconds = durationOption(ctx, 'wait');
    const intervalSeconds = numberOption(ctx.values, 'interval', 'deploy', { min: 0.01 }) ?? 5;
    if (stringOption(ctx.values, 'interval') !== undefined && waitSeconds === undefined) throw new UsageError('--interval only applies with --wait', 'deploy');
    const baseline = stringOption(ctx.values, 'baseline');
    const reason = stringOption(ctx.values, 'reason');
    const { environment } = ctx.target();
    const client = ctx.client();

    const body = {
      flag,
      variant,
      strategy,
      ...(baseline ? { baselineVariant: baseline } : {}),
      ...(stages ? { stages } : {}),
      ...(bakeSeconds !== undefined ? { bakeSeconds } : {}),
      ...(health ? { health } : {}),
      ...(reason ? { reason } : {}),
    };
    const schedule = scheduleOf(strategy);
    const plan = `${describeStages(stages ?? schedule.stages)}; then bake ${humanSeconds(bakeSeconds ?? schedule.bakeSeconds)}`;
    const intro = `Rolling out ${flag} → ${variant} in ${environment} (${stages ? 'custom stages' : strategy}): ${plan}`;
    if (ctx.json) ctx.out.note(intro);
    else ctx.out.line(intro);

    const { protected: prot } = await currentConfig(client, environment);
    let rollout: RolloutView;
    try {
      rollout = await protectedWrite(ctx.io, { environment, protected: prot, yes: ctx.yes, action: 'deploy' }, async (confirm) => {
        const res = await client.post<RolloutView>(client.envPath(environment, '/rollouts'), body, { environment, headers: confirm });
        return res.body;
      });
    } catch (err) {
      if (err instanceof ApiError && err.status === 409) {
        const id = typeof err.body['rolloutId'] === 'string' ? ` (${err.body['rolloutId']})` : '';
        throw new CliError(
          `${flag} already has an active rollout in ${environment}${id} — watch it with \`rollgate status --env ${environment} ${flag}\`, or end it with \`rollgate rollback ${flag} --env ${environment} --reason …\``,
        );
      }
      throw err;
    }

    if (waitSeconds === undefined) {
      if (ctx.json) ctx.out.json({ environment, rollout });
      else {
        ctx.out.line(`${ctx.out.c.green('✔')} started rollout ${rollout.id}`);
        ctx.out.lines(describeRollout(rollout, ctx.io.now(), ctx.out.c));
        ctx.out.line(
          ctx.out.c.dim(`watch it: rollgate status --env ${environment} ${flag}  ·  stop it: rollgate rollback ${flag} --env ${environment} --reason "…"`),
        );
      }
      return EXIT.ok;
    }

    if (!ctx.json)
      ctx.out.line(`${ctx.out.c.green('✔')} started rollout ${rollout.id}; watching for ${humanSeconds(waitSeconds)} (Ctrl-C stops watching, not the rollout)`);
    const display = ctx.json ? silentDisplay : ctx.io.stdout.isTTY ? new LiveDisplay(ctx.io.stdout, ctx.out.c, environment) : new PlainDisplay(ctx.io.stdout);
    const result = await waitForRollout({ client, io: ctx.io, environment, id: rollout.id, waitSeconds, intervalSeconds, display });
    if (ctx.json) {
      ctx.out.json({ environment, rollout: result.rollout, outcome: result.outcome, exitCode: result.exitCode });
    } else {
      const c = ctx.out.c;
      const mark = result.exitCode === EXIT.ok ? c.green('✔') : result.exitCode === EXIT.insufficientData ? c.yellow('…') : c.red('✘');
      ctx.out.line(`${mark} ${result.message}`);
    }
    return result.exitCode;
  },
};
