import { ACTIVE_STATUSES, isActive } from '../../../src/core/rollout/schedule';
import { describeEvidence } from '../../../src/core/health/evidence';
import { bakeEndsAt } from '../../../src/core/rollout/schedule';
import type { HealthNumbers, Verdict } from '../../../src/core/schema/rollout';
import type { RolloutView, StoredRolloutView } from './api';
import { CliError } from './errors';
import type { AdminClient } from './http';
import { count, formatDuration, isoSeconds, ms, type Paint, pct, relative } from './output';
import { humanSeconds } from './stages';

/** Statuses a rollout is still moving in. */
export { ACTIVE_STATUSES };

/** The flag's active (running or paused) rollout in an environment; a CliError when there is none. */
export async function activeRollout(client: AdminClient, environment: string, flag: string): Promise<RolloutView> {
  const res = await client.get<{ rollouts: RolloutView[] }>(client.envPath(environment, '/rollouts'), { environment });
  const found = res.body.rollouts.find((r) => r.flag === flag && isActive(r));
  if (found) return found;
  const last = res.body.rollouts.find((r) => r.flag === flag);
  const hint = last ? ` (its last rollout ${last.id} is ${last.status})` : '';
  throw new CliError(`flag "${flag}" has no active rollout in ${environment}${hint} — see \`rollgate status --env ${environment} ${flag}\``);
}

/** The flag's most recent rollout (any status) with its history, or null. */
export async function latestRollout(client: AdminClient, environment: string, flag: string): Promise<RolloutView | null> {
  const res = await client.get<{ rollouts: RolloutView[] }>(client.envPath(environment, '/rollouts'), { environment });
  const active = res.body.rollouts.find((r) => r.flag === flag && isActive(r));
  const pick = active ?? res.body.rollouts.find((r) => r.flag === flag);
  if (!pick) return null;
  return (await client.get<RolloutView>(client.envPath(environment, `/rollouts/${encodeURIComponent(pick.id)}`), { environment })).body;
}

/** One cohort's numbers: "err 0.12% · p95 180 ms · p99 420 ms · 1,234 samples". */
export function describeNumbers(n: Omit<HealthNumbers, 'baseline'> | undefined): string {
  if (!n) return 'no numbers';
  const parts = [`err ${pct(n.errorRate)}`, `p95 ${ms(n.p95Ms)}`, `p99 ${ms(n.p99Ms)}`];
  if (n.samples !== undefined) parts.push(`${count(n.samples)} samples`);
  if (n.probeFailures !== undefined && n.probeFailures > 0) parts.push(`${n.probeFailures} failed probes`);
  return parts.join(' · ');
}

/**
 * The sequential guards in words, one line each, e.g. "errors: treatment 1.9 % vs baseline 0.5 %
 * (n = 3,120 / 59,300) — evidence 47 of 150 needed". Guards without data yet are left out.
 */
export function evidenceLines(numbers: HealthNumbers, first: string, rest: string): string[] {
  const shown = (numbers.guards ?? []).filter((g) => g.treatment.requests + g.baseline.requests > 0);
  return shown.map((g, k) => `${k === 0 ? first : rest}${describeEvidence(g)}`);
}

/** The verdict in words, e.g. "healthy", "insufficient data (12 of 100 samples)". */
export function verdictHeadline(v: Verdict | null): string {
  if (!v) return 'no verdict yet (no health check has run)';
  switch (v.kind) {
    case 'healthy':
      return 'healthy';
    case 'degraded':
      return `degraded (${v.trigger}, not sustained yet)`;
    case 'breached':
      return `breached (${v.trigger})`;
    case 'insufficient-data':
      return `insufficient data (${count(v.samples)} of ${count(v.required)} ${v.cohort === 'baseline' ? 'baseline ' : ''}samples)`;
    case 'held':
      return v.cause === 'environment_wide'
        ? `held: environment-wide (${v.trigger ?? 'limit'}: baseline breaches as well)`
        : 'held: sample ratio mismatch (check the reporter)';
  }
}

export function verdictColour(v: Verdict | null, p: Paint): (s: string) => string {
  if (!v || v.kind === 'insufficient-data' || v.kind === 'held') return p.yellow;
  if (v.kind === 'healthy') return p.green;
  return p.red;
}

export function statusColour(status: string, p: Paint): (s: string) => string {
  if (status === 'running' || status === 'completed') return p.green;
  if (status === 'paused') return p.yellow;
  return p.red;
}

/** The stage bar: "5% ━ 10% ━ [25%] ─ 50% ─ 75% ─ 100% · bake 48h". */
export function stageBar(r: RolloutView, p: Paint): string {
  const cells = r.plan.stages.map((s, i) => {
    const label = `${s.percent}%`;
    if (r.status === 'rolled_back' || r.status === 'aborted') return p.dim(label);
    if (i < r.stageIndex) return p.green(label);
    if (i === r.stageIndex) return p.bold(p.cyan(`[${label}]`));
    return p.dim(label);
  });
  const bake =
    r.bakeStartedAt !== null && r.status !== 'rolled_back'
      ? p.cyan(`bake ${humanSeconds(r.plan.bakeSeconds)}`)
      : p.dim(`bake ${humanSeconds(r.plan.bakeSeconds)}`);
  return `${cells.join(' ─ ')} · ${bake}`;
}

/** A bar of `width` cells filled to `percent`. */
export function percentBar(percent: number, width = 24): string {
  const filled = Math.round((Math.max(0, Math.min(100, percent)) / 100) * width);
  return `${'█'.repeat(filled)}${'░'.repeat(width - filled)}`;
}

/** What happens next, in words: the next stage and when, the bake's end, or how it ended. */
export function nextStep(r: RolloutView, now: number): string {
  if (r.status === 'completed') return `completed${r.endedAt ? ` at ${isoSeconds(r.endedAt)}` : ''}; ${r.variant} is now the default`;
  if (r.status === 'rolled_back') return `rolled back${r.endedAt ? ` at ${isoSeconds(r.endedAt)}` : ''}; everyone gets the baseline`;
  if (r.status === 'aborted') return 'aborted';
  if (r.status === 'paused') return `paused${r.pausedAt ? ` since ${isoSeconds(r.pausedAt)}` : ''}: no promotion until resumed (rollback still armed)`;
  if (r.nextPromotionAt) {
    const at = Date.parse(r.nextPromotionAt);
    const next = r.plan.stages[r.stageIndex + 1];
    return `${next ? `${next.percent}% ` : ''}at ${isoSeconds(at)} (${relative(at, now)}), if healthy`;
  }
  const end = bakeEndsAt(r);
  if (end !== null) {
    return `baking at ${r.percent}%: completes at ${isoSeconds(end)} (${relative(end, now)}) if the bake criteria hold`;
  }
  return 'waiting for the next tick';
}

/** The block of lines `status` and `deploy` print for a rollout. */
export function describeRollout(r: StoredRolloutView, now: number, p: Paint): string[] {
  if ('broken' in r) {
    return [
      `${p.bold(r.flag)}  ${p.red(`${r.status}, held: ${r.broken}`)}`,
      `  id        ${r.id} · its flag serves the baseline; roll it back (RUNBOOK "A rollout's tick fails")`,
    ];
  }
  const sc = statusColour(r.status, p);
  const baseline = r.baselineVariant ?? 'default variant';
  const lines = [
    `${p.bold(r.flag)} → ${p.bold(r.variant)} ${p.dim(`(baseline ${baseline})`)}  ${sc(r.status)}  stage ${r.stageIndex + 1} of ${r.plan.stages.length} · ${p.bold(`${r.percent}%`)}`,
    `  id        ${r.id} · ${r.plan.strategy} · started ${isoSeconds(r.startedAt)} (${formatDuration(now - r.startedAt)} ago)`,
    `  stages    ${stageBar(r, p)}`,
    `  next      ${nextStep(r, now)}`,
  ];
  const v = r.lastVerdict;
  const vc = verdictColour(v, p);
  lines.push(`  verdict   ${vc(verdictHeadline(v))}`);
  const numbers = v && 'numbers' in v ? v.numbers : undefined;
  if (numbers) {
    const t = `treatment (${r.variant})`;
    const b = `baseline (${r.baselineVariant ?? 'default'})`;
    const w = Math.max(t.length, b.length);
    lines.push(`    ${t.padEnd(w)}  ${describeNumbers(numbers)}`);
    if (numbers.baseline) lines.push(`    ${b.padEnd(w)}  ${describeNumbers(numbers.baseline)}`);
    lines.push(...evidenceLines(numbers, '  evidence  ', '            '));
  }
  if (r.lastDecision) lines.push(`  decision  ${r.lastDecision}`);
  if (r.tickError) lines.push(`  ${p.red(`tick fails since ${r.tickError.since}: ${r.tickError.message} (held)`)}`);
  if ('foldError' in r && r.foldError) {
    lines.push(`  ${p.red(`${r.variant} did not become the default (${r.foldError.at}): ${r.foldError.message}; set it in the config by hand`)}`);
  }
  return lines;
}
