import type { NotificationEvent, NotificationFormat } from '../schema/notifications';
import { describeEvidence } from '../health/evidence';
import type { GuardEvidence } from '../schema/guards';
import type { HealthNumbers, Rollout } from '../schema/rollout';
import { formatPercent, formatRate, readable } from '../numbers';

/** The largest audit diff a payload carries as `details`; a bigger one (a long config diff) is summarised. */
const MAX_DETAILS_CHARS = 8192;

/** What a notification is built from: the audit entry of the decision and the rollout it concerns. */
export interface NotificationSource {
  /** The delivery's id: the idempotency key, the same in every attempt. */
  deliveryId: string;
  event: NotificationEvent;
  environment: string;
  at: number;
  /** True when Rollgate decided by itself (a tick), false for an operator. */
  automatic: boolean;
  audit: { id: number; actor: string; action: string; target: string; flags: readonly string[]; reason: string | null; diff: unknown };
  /** The rollout the entry concerns, as committed with it; null for config and key entries. */
  rollout: Rollout | null;
}

type Numbers = Omit<HealthNumbers, 'baseline' | 'guards'>;

/** Rollgate's own payload (format `json`). */
export interface NotificationPayload {
  id: string;
  event: NotificationEvent;
  environment: string;
  occurredAt: string;
  decidedBy: { actor: string; automatic: boolean };
  action: string;
  target: string;
  reason: string | null;
  flag: string | null;
  rollout: {
    id: string;
    variant: string;
    baselineVariant: string | null;
    status: string;
    percent: number;
    stage: { number: number; of: number; percent: number };
  } | null;
  /** The last health verdict the decision saw, treatment against baseline. */
  evidence: {
    verdict: string;
    trigger: string | null;
    /** Why a rollout holds (`held` verdicts): environment_wide or sample_ratio. */
    cause: string | null;
    treatment: Numbers | null;
    baseline: Numbers | null;
    /** Each guard comparing treatment with baseline: counts, evidence, evidence needed. */
    guards: GuardEvidence[];
  } | null;
  links: { cli: string; audit: string; dashboard: string | null };
  auditId: number;
  details: unknown;
}

/** Builds the `json` payload of a decision. */
export function notificationPayload(src: NotificationSource): NotificationPayload {
  const r = src.rollout;
  const flag = r?.flag ?? src.audit.flags[0] ?? null;
  const verdict = r?.lastVerdict ?? null;
  const numbers = verdict && 'numbers' in verdict ? verdict.numbers : undefined;
  const details = JSON.stringify(src.audit.diff ?? null);
  return {
    id: src.deliveryId,
    event: src.event,
    environment: src.environment,
    occurredAt: new Date(src.at).toISOString(),
    decidedBy: { actor: src.audit.actor, automatic: src.automatic },
    action: src.audit.action,
    target: src.audit.target,
    reason: src.audit.reason,
    flag,
    rollout: r && {
      id: r.id,
      variant: r.variant,
      baselineVariant: r.baselineVariant,
      status: r.status,
      percent: r.percent,
      stage: { number: r.stageIndex + 1, of: r.plan.stages.length, percent: r.plan.stages[r.stageIndex]?.percent ?? r.percent },
    },
    evidence: verdict && {
      verdict: verdict.kind,
      trigger: 'trigger' in verdict ? (verdict.trigger ?? null) : null,
      cause: verdict.kind === 'held' ? verdict.cause : null,
      treatment: numbers ? cohort(numbers) : null,
      baseline: numbers?.baseline ?? null,
      guards: numbers?.guards ?? [],
    },
    links: {
      cli: flag ? `rollgate status ${flag} --env ${src.environment}` : `rollgate status --env ${src.environment}`,
      audit: `rollgate audit --env ${src.environment}${flag ? ` --flag ${flag}` : ''}`,
      // No dashboard yet; the field is there so receivers need not change when one exists.
      dashboard: null,
    },
    auditId: src.audit.id,
    details: details.length <= MAX_DETAILS_CHARS ? (src.audit.diff ?? null) : { truncated: true, chars: details.length },
  };
}

function cohort(n: HealthNumbers): Numbers {
  const { baseline: _baseline, guards: _guards, ...rest } = n;
  return rest;
}

const HEADLINE: Record<NotificationEvent, string> = {
  'rollout.rolled_back': 'rolled back',
  'rollout.promoted': 'promoted',
  'rollout.completed': 'completed',
  'rollout.held': 'held',
  'rollout.tick_failed': 'tick failed',
  'config.changed': 'config changed',
  'key.revoked': 'client key revoked',
};

/** A Slack incoming-webhook message (format `slack`): the same facts as text, numbers included. */
export function slackMessage(p: NotificationPayload): { text: string } {
  const who = p.decidedBy.automatic ? 'Rollgate (automatic)' : p.decidedBy.actor;
  const lines: string[] = [];
  if (p.rollout) {
    const s = p.rollout.stage;
    lines.push(
      `*[${p.environment}] ${p.flag ?? p.target} → ${p.rollout.variant}: ${HEADLINE[p.event]}* at stage ${s.number}/${s.of}, now ${formatPercent(p.rollout.percent)} (${p.rollout.status}), by ${who}`,
    );
  } else {
    lines.push(`*[${p.environment}] ${HEADLINE[p.event]}*: ${p.target}, by ${who}`);
  }
  if (p.reason) lines.push(`> ${p.reason}`);
  if (p.evidence) {
    const e = p.evidence;
    lines.push(`Verdict: ${e.verdict}${e.trigger ? ` (${e.trigger})` : ''}${e.cause ? ` — ${e.cause.replace('_', '-')}` : ''}`);
    if (e.treatment) lines.push(`• treatment${p.rollout ? ` (${p.rollout.variant})` : ''}: ${describe(e.treatment)}`);
    if (e.baseline) lines.push(`• baseline${p.rollout?.baselineVariant ? ` (${p.rollout.baselineVariant})` : ''}: ${describe(e.baseline)}`);
    for (const g of e.guards) if (g.treatment.requests + g.baseline.requests > 0) lines.push(`• ${describeEvidence(g)}`);
  }
  lines.push(`\`${p.links.cli}\` · \`${p.links.audit}\` · delivery ${p.id}`);
  return { text: lines.join('\n') };
}

function describe(n: Numbers): string {
  const parts: string[] = [];
  if (n.errorRate !== undefined) parts.push(`err ${formatRate(n.errorRate)}`);
  if (n.p95Ms !== undefined) parts.push(`p95 ${readable(n.p95Ms)} ms`);
  if (n.p99Ms !== undefined) parts.push(`p99 ${readable(n.p99Ms)} ms`);
  if (n.samples !== undefined) parts.push(`${readable(n.samples)} samples`);
  if (n.probeFailures !== undefined) parts.push(`${readable(n.probeFailures)} probe failures`);
  return parts.join(' · ') || 'no numbers';
}

/** The body sent for a format. */
export function deliveryBody(format: NotificationFormat, payload: NotificationPayload): string {
  return JSON.stringify(format === 'slack' ? slackMessage(payload) : payload);
}
