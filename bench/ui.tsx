/**
 * `ui`: server time to render each dashboard page with 1,000 flags and a rollout with a 7-day
 * history, in-process (the pages' JSX rendered to HTML from data, as the Worker renders it after
 * its coordinator and shard calls). The RPC round trips to the Durable Objects are not included:
 * they are the coordinator's and shard's own numbers (see the coordinator and metrics benches).
 */
import type { EnvironmentSummary } from '../src/coordinator/rollout-coordinator';
import type { RolloutView } from '../src/coordinator/rollout-ops';
import type { Transition } from '../src/coordinator/rollout-rows';
import type { AuditEntry } from '../src/coordinator/audit-log';
import type { MinuteStats } from '../src/core/metrics/window-stats';
import type { RollgateConfig } from '../src/core/schema/config';
import type { Viewer } from '../src/http/ui/layout';
import { AuditPage } from '../src/http/ui/pages/audit';
import { EnvironmentPage } from '../src/http/ui/pages/environment';
import { FlagPage } from '../src/http/ui/pages/flag';
import { KeysPage } from '../src/http/ui/pages/keys';
import { OverviewPage } from '../src/http/ui/pages/overview';
import { RolloutPage } from '../src/http/ui/pages/rollout';
import { fmtNs, fmtSpread } from './lib/format';
import { type Case, DEFAULT_OPTIONS, measureCases, QUICK_OPTIONS } from './lib/measure';
import type { BenchFn } from './lib/types';

const FLAGS = 1_000;
const DAY_MS = 86_400_000;
const BUDGET_MS = 20;
const NOW = Date.UTC(2026, 10, 28, 12);
const START = NOW - 7 * DAY_MS;

const viewer: Viewer = {
  session: { name: 'dev', role: 'operator', environments: '*', expires: NOW + 3600_000, csrf: '0123456789abcdef0123456789abcdef' },
  token: { name: 'dev', role: 'operator', environments: '*', sha256: '0'.repeat(64) },
  environments: ['development', 'staging', 'production'],
};

function config(): RollgateConfig {
  const flags: Record<string, unknown> = {};
  for (let i = 0; i < FLAGS; i++) {
    flags[`flag-${i}`] = {
      state: 'ENABLED',
      variants: { on: true, off: false },
      defaultVariant: 'off',
      targeting: { if: [{ ends_with: [{ var: 'email' }, '@shop.example'] }, 'on'] },
      metadata: { owner: 'team' },
    };
  }
  return { environments: ['development', 'staging', { name: 'production', protected: true }], flags } as unknown as RollgateConfig;
}

/** A rollout that has run for 7 days: a stage a day, an hourly decision, both cohorts' last 3 hours per minute. */
function rollout(): { r: RolloutView; series: { treatment: MinuteStats[]; baseline: MinuteStats[]; from: number; to: number } } {
  const stages = [1, 2, 5, 10, 25, 50, 75, 100].map((percent, i) => ({ percent, afterSeconds: i * 86_400 }));
  const history: Transition[] = [];
  for (let h = 0; h < 7 * 24; h++) {
    const percent = stages[Math.min(7, Math.floor(h / 24))]!.percent;
    history.push({
      at: new Date(START + h * 3600_000).toISOString(),
      actor: 'rollgate',
      event: h % 24 === 0 ? 'promoted' : 'held',
      fromStatus: 'running',
      toStatus: 'running',
      fromPercent: percent,
      toPercent: percent,
      details: null,
    });
  }
  const guard = { evidence: 3.2, needed: 150, treatment: { requests: 3120, events: 59 }, baseline: { requests: 59300, events: 296 } };
  const r = {
    id: 'ro_bench',
    flag: 'flag-1',
    variant: 'on',
    baselineVariant: null,
    plan: {
      strategy: 'safe',
      stages,
      bakeSeconds: 3600,
      health: {
        maxErrorRate: 0.01,
        maxP95Ms: 500,
        maxP99Ms: 1000,
        sustainedMinutes: 5,
        minSamples: 100,
        maxProbeFailures: 5,
        bakeMaxErrorRate: 0.001,
        bakeMaxP95Ms: 200,
        alpha: 0.01,
        onEnvironmentWide: 'hold',
      },
    },
    status: 'running',
    stageIndex: 6,
    percent: 75,
    startedAt: START,
    pausedTotalMs: 0,
    pausedAt: null,
    bakeStartedAt: null,
    endedAt: null,
    lastVerdict: { kind: 'healthy', numbers: { guards: (['errors', 'p95', 'p99', 'sample_ratio'] as const).map((g) => ({ guard: g, ...guard })) } },
    lastDecision: 'healthy',
    lastTickAt: NOW,
    nextPromotionAt: new Date(NOW + 3600_000).toISOString(),
    history,
  } as unknown as RolloutView;
  const minutes = (rate: number): MinuteStats[] =>
    Array.from({ length: 180 }, (_, i) => ({
      minute: NOW - (180 - i) * 60_000,
      samples: 1000,
      errors: rate * 1000,
      errorRate: rate,
      p95Ms: 120 + (i % 7),
      p99Ms: 300 + (i % 11),
    }));
  return { r, series: { treatment: minutes(0.002), baseline: minutes(0.001), from: NOW - 180 * 60_000, to: NOW } };
}

function render(el: unknown): number {
  return String(el).length;
}

export const ui: BenchFn = async (opts) => {
  const doc = config();
  const { r, series } = rollout();
  const audit: AuditEntry[] = Array.from({ length: 50 }, (_, i) => ({
    id: i,
    at: new Date(NOW - i * 60_000).toISOString(),
    actor: 'dev',
    environment: 'staging',
    action: 'config.write',
    target: `flag-${i}`,
    reason: 'bench',
    diff: { changed: [`flag-${i}`] },
  }));
  const summary = (environment: string): EnvironmentSummary => ({
    environment,
    configVersion: 12,
    snapshotVersion: 40,
    publishedVersion: 40,
    lastPublishError: null,
    activeRollouts: Array.from({ length: 20 }, () => r),
    probes: [],
  });
  const history = { versions: Array.from({ length: 50 }, (_, i) => ({ version: 50 - i, createdAt: NOW - i * 3600_000, actor: 'dev', reason: 'bench' })) };
  const edge = { environment: 'staging', version: 40, publishedAt: NOW - 2000, source: 'kv' as const, lastError: null };
  const pages: Array<[string, () => unknown]> = [
    [
      'overview (3 environments × 20 active rollouts)',
      () => <OverviewPage viewer={viewer} envs={viewer.environments.map((e) => ({ environment: e, summary: summary(e), edge }))} now={NOW} />,
    ],
    [
      'environment (1,000 flags, first 200 listed)',
      () => (
        <EnvironmentPage
          viewer={viewer}
          environment="staging"
          config={{ version: 12, document: doc, updatedAt: new Date(NOW).toISOString(), actor: 'dev' }}
          rollouts={[r]}
          query=""
          canEdit
          isProtected={false}
          history={history}
          compared={null}
        />
      ),
    ],
    [
      'environment, search',
      () => (
        <EnvironmentPage
          viewer={viewer}
          environment="staging"
          config={{ version: 12, document: doc, updatedAt: new Date(NOW).toISOString(), actor: 'dev' }}
          rollouts={[r]}
          query="flag-99"
          canEdit
          isProtected={false}
          history={history}
          compared={null}
        />
      ),
    ],
    ['flag', () => <FlagPage viewer={viewer} environment="staging" name="flag-1" flag={doc.flags['flag-1'] as never} rollouts={[r]} audit={audit} />],
    [
      'rollout (7-day history, 3 charts × 180 min × 2 cohorts)',
      () => <RolloutPage viewer={viewer} environment="staging" rollout={r} series={series} canOperate isProtected />,
    ],
    [
      'audit (50 entries)',
      () => <AuditPage viewer={viewer} environment="staging" entries={audit} filter={{ flag: '', action: '', actor: '', since: '', until: '' }} next="12" />,
    ],
    [
      'keys (20 keys)',
      () => (
        <KeysPage
          viewer={viewer}
          environment="staging"
          keys={
            Array.from({ length: 20 }, (_, i) => ({
              name: `key-${i}`,
              scopes: ['evaluate'],
              createdAt: new Date(NOW).toISOString(),
              createdBy: 'dev',
            })) as never
          }
          canOperate
          isProtected
        />
      ),
    ],
  ];
  for (const [name, page] of pages) opts.log(`${name}: ${render(page())} bytes of HTML`);
  const cases: Case[] = pages.map(([name, page]) => ({
    name,
    inputs: 0,
    run: (_s, count) => {
      let n = 0;
      for (let i = 0; i < count; i++) n += render(page());
      return n;
    },
  }));
  const t = measureCases(cases, { ...(opts.quick ? QUICK_OPTIONS : DEFAULT_OPTIONS), maxBatch: 50 });
  const worst = Math.max(...pages.map(([name]) => t.get(name)!.medianNs));
  return {
    status: 'ok',
    tables: [
      {
        title: 'Dashboard page render time (server, in-process, Node)',
        columns: ['page', 'median', 'p99', 'spread', 'HTML bytes'],
        rows: pages.map(([name, page]) => {
          const x = t.get(name)!;
          return [name, fmtNs(x.medianNs), fmtNs(x.p99Ns), fmtSpread(x), String(render(page()))];
        }),
        notes: ['Rendering only: the coordinator and metrics shard RPCs a page makes (1–3 per page) are measured by the coordinator and metrics benches.'],
      },
    ],
    budgets: [{ name: 'dashboard page render, worst page', target: `≤ ${BUDGET_MS} ms`, measured: fmtNs(worst), pass: worst <= BUDGET_MS * 1e6 }],
    data: Object.fromEntries(t),
  };
};
