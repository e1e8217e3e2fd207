import { describe, expect, it } from 'vitest';
import { breached, started, T0 } from '../../../test/helpers/rollout-fixtures';
import { tickRollout } from '../rollout/tick';
import { deliveryBody, notificationPayload, type NotificationSource, slackMessage } from './payload';

const numbers = { samples: 800, errorRate: 0.023, p95Ms: 140, p99Ms: 410, baseline: { samples: 8000, errorRate: 0.002, p95Ms: 120, p99Ms: 300 } };

function rolledBack() {
  const t = tickRollout(started(), T0 + 60_000, breached('error_rate', numbers));
  return t;
}

function source(extra: Partial<NotificationSource> = {}): NotificationSource {
  const { rollout, events } = rolledBack();
  return {
    deliveryId: 'nd_abc',
    event: 'rollout.rolled_back',
    environment: 'production',
    at: T0 + 60_000,
    automatic: true,
    audit: {
      id: 17,
      actor: 'rollgate',
      action: 'rollout.auto_rolled_back',
      target: rollout.id,
      flags: [rollout.flag],
      reason: rollout.lastDecision,
      diff: { before: { status: 'running', percent: 5 }, after: { status: 'rolled_back', percent: 0 }, events },
    },
    rollout,
    ...extra,
  };
}

describe('notificationPayload', () => {
  it('says what happened, to which flag, variant and rollout, at which stage, who decided, with treatment and baseline numbers', () => {
    const p = notificationPayload(source());
    expect(p).toMatchObject({
      id: 'nd_abc',
      event: 'rollout.rolled_back',
      environment: 'production',
      occurredAt: new Date(T0 + 60_000).toISOString(),
      decidedBy: { actor: 'rollgate', automatic: true },
      action: 'rollout.auto_rolled_back',
      target: 'ro_1',
      flag: 'new-checkout',
      rollout: { id: 'ro_1', variant: 'on', baselineVariant: 'off', status: 'rolled_back', percent: 0, stage: { number: 1, of: 6, percent: 5 } },
      evidence: {
        verdict: 'breached',
        trigger: 'error_rate',
        treatment: { samples: 800, errorRate: 0.023, p95Ms: 140, p99Ms: 410 },
        baseline: { samples: 8000, errorRate: 0.002, p95Ms: 120, p99Ms: 300 },
      },
      links: { cli: 'rollgate status new-checkout --env production', audit: 'rollgate audit --env production --flag new-checkout', dashboard: null },
      auditId: 17,
    });
    expect(p.reason).toMatch(/^rolled back: error_rate 2\.3% > 1%/);
    expect(p.evidence!.treatment).not.toHaveProperty('baseline');
  });

  it('a config or key entry has no rollout and no evidence; a huge diff is summarised', () => {
    const diff = { changes: Array.from({ length: 2000 }, (_, i) => ({ target: `flag-${i}`, change: 'changed' })) };
    const p = notificationPayload(
      source({
        event: 'config.changed',
        automatic: false,
        rollout: null,
        audit: { id: 3, actor: 'alice', action: 'config.put', target: 'config v4', flags: [], reason: 'tidy', diff },
      }),
    );
    expect(p).toMatchObject({
      flag: null,
      rollout: null,
      evidence: null,
      decidedBy: { actor: 'alice', automatic: false },
      links: { cli: 'rollgate status --env production' },
    });
    expect(p.details).toEqual({ truncated: true, chars: JSON.stringify(diff).length });
  });
});

describe('slackMessage', () => {
  it('carries the numbers, the decision and the CLI link as text', () => {
    const { text } = slackMessage(notificationPayload(source()));
    const lines = text.split('\n');
    expect(lines[0]).toBe('*[production] new-checkout → on: rolled back* at stage 1/6, now 0% (rolled_back), by Rollgate (automatic)');
    expect(lines[1]).toMatch(/^> rolled back: error_rate 2\.3% > 1%/);
    expect(lines).toContain('Verdict: breached (error_rate)');
    expect(lines).toContain('• treatment (on): err 2.3% · p95 140 ms · p99 410 ms · 800 samples');
    expect(lines).toContain('• baseline (off): err 0.2% · p95 120 ms · p99 300 ms · 8000 samples');
    expect(lines.at(-1)).toBe('`rollgate status new-checkout --env production` · `rollgate audit --env production --flag new-checkout` · delivery nd_abc');
  });

  it('a hold says its cause and carries each guard with data, in words and in the JSON', () => {
    const guards = [
      { guard: 'errors' as const, evidence: 12, needed: 150, treatment: { requests: 3120, events: 94 }, baseline: { requests: 59_300, events: 1780 } },
      { guard: 'p99' as const, evidence: 1, needed: 600, treatment: { requests: 0, events: 0 }, baseline: { requests: 0, events: 0 } },
    ];
    const held = { kind: 'held' as const, cause: 'environment_wide' as const, trigger: 'error_rate' as const, numbers: { ...numbers, guards } };
    const { rollout } = tickRollout(started(), T0 + 60_000, { window: held });
    const payload = notificationPayload(source({ event: 'rollout.held', rollout }));
    expect(payload.evidence).toMatchObject({ verdict: 'held', trigger: 'error_rate', cause: 'environment_wide', guards });
    expect(payload.evidence!.treatment).not.toHaveProperty('guards');
    const lines = slackMessage(payload).text.split('\n');
    expect(lines).toContain('Verdict: held (error_rate) — environment-wide');
    expect(lines).toContain('• errors: treatment 3 % vs baseline 3 % (n = 3,120 / 59,300) — evidence 12 of 150 needed');
    expect(lines.some((l) => l.includes('P99'))).toBe(false);
  });

  it('deliveryBody sends the payload for json and {text} for slack', () => {
    const p = notificationPayload(source());
    expect(JSON.parse(deliveryBody('json', p))).toEqual(JSON.parse(JSON.stringify(p)));
    expect(Object.keys(JSON.parse(deliveryBody('slack', p)) as object)).toEqual(['text']);
  });
});
