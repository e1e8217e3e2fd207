import { needsConfirmation, type RolloutActionName } from '../../../src/core/rollout/actions';
import type { ActionResponse, RolloutView } from '../lib/api';
import { expectPositionals, requiredOption } from '../lib/args';
import { EXIT } from '../lib/errors';
import { currentConfig, protectedWrite } from '../lib/protection';
import { activeRollout, describeRollout, latestRollout } from '../lib/rollouts';
import type { CommandDef, Ctx } from '../command';

/** The operator actions, as the Worker names them. */
export type ActionName = RolloutActionName;

function changedLine(action: ActionName, before: RolloutView, after: RolloutView, environment: string): string {
  switch (action) {
    case 'rollback':
      return `rolled back ${after.flag} in ${environment} (${after.id}): ${before.percent}% → 0% — everyone gets the baseline; edges pick it up within the snapshot refresh (5 s by default)`;
    case 'pause':
      return `paused ${after.flag} in ${environment} at ${after.percent}%: no promotion until resumed; health is still checked and a breach still rolls back`;
    case 'resume':
      return `resumed ${after.flag} in ${environment} at ${after.percent}%; stage times shift by the time spent paused`;
    case 'promote':
      return `promoted ${after.flag} in ${environment}: ${before.percent}% → ${after.percent}% (stage ${after.stageIndex + 1} of ${after.plan.stages.length})`;
  }
}

function unchangedLine(action: ActionName, before: RolloutView, after: RolloutView): string {
  if (action === 'promote') {
    if (after.stageIndex !== before.stageIndex)
      return `nothing changed: the rollout had already moved to stage ${after.stageIndex + 1} (a retried promote never advances twice)`;
    if (after.stageIndex >= after.plan.stages.length - 1) return 'nothing changed: the rollout is at its last stage (it completes after the bake)';
  }
  if (action === 'pause' && after.status === 'paused') return 'nothing changed: the rollout is already paused';
  if (action === 'resume' && after.status !== 'paused') return `nothing changed: the rollout is ${after.status}, not paused`;
  return `nothing changed: the rollout is ${after.status}`;
}

async function runAction(ctx: Ctx, action: ActionName): Promise<number> {
  expectPositionals(ctx.positionals, action, 1, 1, '<flag>');
  const flag = ctx.positionals[0]!;
  const reason = requiredOption(ctx.values, 'reason', action, '"…" (recorded in the audit log)');
  const { environment } = ctx.target();
  const client = ctx.client();
  if (action === 'rollback') {
    // A repeated rollback (a retry at 3 a.m.) is a no-op, not a failure.
    const last = await latestRollout(client, environment, flag);
    if (last && last.status === 'rolled_back') {
      if (ctx.json) ctx.out.json({ environment, action, changed: false, rollout: last });
      else ctx.out.line(`nothing to do: the last rollout of ${flag} in ${environment} (${last.id}) is already rolled back`);
      return EXIT.ok;
    }
  }
  const before = await activeRollout(client, environment, flag);
  const body = { reason, ...(action === 'promote' ? { fromStage: before.stageIndex } : {}) };
  const send = async (confirm: Record<string, string>) => {
    const path = client.envPath(environment, `/rollouts/${encodeURIComponent(before.id)}/${action}`);
    return (await client.post<ActionResponse>(path, body, { environment, headers: confirm })).body;
  };
  // Rollback and pause go out at once, never behind a question (not even after a 428).
  const res = needsConfirmation(action)
    ? await protectedWrite(ctx.io, { environment, protected: (await currentConfig(client, environment)).protected, yes: ctx.yes, action }, send)
    : await send({});
  const { changed, ...after } = res;
  if (ctx.json) {
    ctx.out.json({ environment, action, changed, rollout: after });
    return EXIT.ok;
  }
  const c = ctx.out.c;
  ctx.out.line(changed ? `${c.green('✔')} ${changedLine(action, before, after, environment)}` : unchangedLine(action, before, after));
  ctx.out.lines(describeRollout(after, ctx.io.now(), c));
  return EXIT.ok;
}

/** What the help says about confirmation, from the rule the Worker enforces. */
function confirmationNote(action: ActionName): string {
  return needsConfirmation(action)
    ? 'Asks for confirmation in a protected environment (--yes skips).'
    : 'Never asks for confirmation, even in a protected environment: it only reduces exposure.';
}

function actionCommand(action: ActionName, summary: string, description: string): CommandDef {
  return {
    name: action,
    summary,
    usage: [`${action} <flag> --env ENV --reason "…"${needsConfirmation(action) ? ' [--yes]' : ''} [--json]`],
    description: `${description}\n${confirmationNote(action)}`,
    uses: { target: true, json: true, yes: needsConfirmation(action) },
    options: { reason: { type: 'string', valueName: 'TEXT', description: 'why (required; recorded in the audit log)' } },
    examples: [`rollgate ${action} new-checkout --env production --reason "${action === 'rollback' ? 'error spike in EU' : 'JIRA-123'}"`],
    run: (ctx) => runAction(ctx, action),
  };
}

export const rollback = actionCommand(
  'rollback',
  "Roll back a flag's active rollout now: 0 % at once, published immediately.",
  "Finds the flag's running or paused rollout and rolls it back. Repeating it changes nothing.",
);
export const pause = actionCommand(
  'pause',
  "Pause a flag's active rollout: no promotion until resumed; health checks and rollback stay armed.",
  'Stage times shift by the time spent paused.',
);
export const resume = actionCommand('resume', "Resume a flag's paused rollout.", 'Stage times shift by the time spent paused.');
export const promote = actionCommand(
  'promote',
  "Promote a flag's active rollout one stage now, without waiting for its time.",
  'Sends the current stage as fromStage, so a retried promote cannot advance twice.',
);
