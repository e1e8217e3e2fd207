/** The read commands' --json shapes (documented in docs/RUNBOOK.md) and their human form. */
import { describe, expect, it } from 'vitest';
import type { Verdict } from '../../../src/core/schema/rollout';
import { CONFIG, fakeFetch, rolloutView, routes, runCli } from '../../../test/helpers/cli';

const verdict: Verdict = {
  kind: 'healthy',
  numbers: {
    samples: 900,
    errorRate: 0.002,
    p95Ms: 210,
    p99Ms: 480,
    baseline: { samples: 9000, errorRate: 0.0015, p95Ms: 190, p99Ms: 450 },
    guards: [
      { guard: 'errors', evidence: 3.2, needed: 150, treatment: { requests: 3120, events: 59 }, baseline: { requests: 59_300, events: 296 } },
      {
        guard: 'p95',
        evidence: 0.41,
        needed: 600,
        treatment: { requests: 3120, events: 150 },
        baseline: { requests: 59_300, events: 2965 },
        thresholdMs: 190.4,
      },
      { guard: 'p99', evidence: 1, needed: 600, treatment: { requests: 0, events: 0 }, baseline: { requests: 0, events: 0 } },
      {
        guard: 'sample_ratio',
        evidence: 0.2,
        needed: 100,
        treatment: { requests: 3120, events: 3120 },
        baseline: { requests: 59_300, events: 59_300 },
        expectedShare: 0.05,
      },
    ],
  },
};
const active = rolloutView({ lastVerdict: verdict, lastDecision: 'waiting: next stage 25% at 2026-11-27T10:00:00.000Z' });

function summary(env: string, extra: Record<string, unknown> = {}) {
  return {
    environment: env,
    configVersion: 3,
    snapshotVersion: 9,
    publishedVersion: 9,
    lastPublishError: null,
    activeRollouts: env === 'production' ? [active] : [],
    // The server always sends probes (empty without health checks): the summary type says so.
    probes: [],
    ...extra,
  };
}

const statusApi = (overrides: Record<string, unknown> = {}) =>
  fakeFetch(
    routes({
      'GET /admin/v1/environments': {
        json: {
          environments: [summary('development'), summary('staging', { snapshotVersion: 10, lastPublishError: 'KV put failed: 429' }), summary('production')],
        },
      },
      'GET /admin/v1/environments/development/flags': {
        json: { version: 3, document: CONFIG, updatedAt: '2026-11-27T08:00:00.000Z', actor: 'dev' },
        headers: { etag: '"3"' },
      },
      'GET /admin/v1/environments/staging/flags': {
        json: { version: 3, document: CONFIG, updatedAt: '2026-11-27T08:00:00.000Z', actor: 'dev' },
        headers: { etag: '"3"' },
      },
      'GET /admin/v1/environments/production/flags': {
        json: { version: 3, document: CONFIG, updatedAt: '2026-11-27T08:00:00.000Z', actor: 'ops' },
        headers: { etag: '"3"' },
      },
      'GET /admin/v1/environments/production/rollouts': { json: { rollouts: [active] } },
      'GET /admin/v1/environments/production/rollouts/ro_test_1': {
        json: {
          ...active,
          history: [
            {
              at: '2026-11-27T09:00:00.000Z',
              actor: 'ops',
              event: 'started',
              fromStatus: 'running',
              toStatus: 'running',
              fromPercent: 0,
              toPercent: 5,
              details: {},
            },
          ],
        },
      },
      ...overrides,
    }),
  );

describe('status', () => {
  it('--json: every environment with versions, protection and active rollouts', async () => {
    const r = await runCli(['status', '--json'], { fetch: statusApi().fetch });
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(out.url).toBe('http://127.0.0.1:8787');
    expect(out.environments.map((e: { environment: string }) => e.environment)).toEqual(['development', 'staging', 'production']);
    expect(out.environments[1]).toEqual({
      environment: 'staging',
      protected: false,
      configVersion: 3,
      configUpdatedAt: '2026-11-27T08:00:00.000Z',
      configActor: 'dev',
      snapshotVersion: 10,
      publishedVersion: 9,
      publishPending: true,
      lastPublishError: 'KV put failed: 429',
      activeRollouts: [],
    });
    expect(out.environments[2].protected).toBe(true);
    expect(out.environments[2].activeRollouts[0]).toMatchObject({ id: 'ro_test_1', flag: 'new-checkout', stageIndex: 0, percent: 5, lastVerdict: verdict });
  });

  it('human: stage, next promotion, verdict numbers of both cohorts, decision, publish problems', async () => {
    const r = await runCli(['status'], { fetch: statusApi().fetch });
    expect(r.stdout).toContain('production (protected)');
    expect(r.stdout).toContain('new-checkout → on (baseline default variant)  running  stage 1 of 3 · 5%');
    expect(r.stdout).toContain('next      25% at 2026-11-27T10:00:00Z (in 0s), if healthy');
    expect(r.stdout).toContain('verdict   healthy');
    expect(r.stdout).toContain('treatment (on)      err 0.2% · p95 210 ms · p99 480 ms · 900 samples');
    // Each guard's evidence in words and numbers; a guard without data yet (p99) is left out.
    expect(r.stdout).toContain('  evidence  errors: treatment 1.9 % vs baseline 0.5 % (n = 3,120 / 59,300) — evidence 3.2 of 150 needed\n');
    expect(r.stdout).toContain(
      '            slower than the baseline P95 (190 ms): treatment 4.8 % vs baseline 5 % (n = 3,120 / 59,300) — evidence 0.41 of 600 needed\n',
    );
    expect(r.stdout).toContain('            sample ratio: treatment 5 % of 62,420 reported requests, expected 5 % — evidence 0.2 of 100 needed\n');
    expect(r.stdout).not.toContain('slower than the baseline P99');
    expect(r.stdout).toContain('baseline (default)  err 0.15% · p95 190 ms · p99 450 ms · 9,000 samples');
    expect(r.stdout).toContain('decision  waiting: next stage 25%');
    expect(r.stdout).toContain('published 9 — KV publish pending: KV put failed: 429');
    expect(r.stdout).not.toContain('\u001b[');
  });

  it('--env and a flag: that environment only, with the rollout and its history', async () => {
    const r = await runCli(['status', 'new-checkout', '--env', 'production', '--json'], { fetch: statusApi().fetch });
    const out = JSON.parse(r.stdout);
    expect(out.flag).toBe('new-checkout');
    expect(out.environments).toHaveLength(1);
    expect(out.environments[0].rollout).toMatchObject({ id: 'ro_test_1', history: [{ event: 'started' }] });
    const human = await runCli(['status', 'new-checkout', '--env', 'production'], { fetch: statusApi().fetch });
    expect(human.stdout).toContain('history   2026-11-27T09:00:00Z started running 0% → running 5% by ops');
  });

  it('a completed rollout whose fold failed says its variant did not become the default', async () => {
    const completed = {
      ...active,
      status: 'completed',
      endedAt: Date.UTC(2026, 10, 29, 9),
      foldError: { at: '2026-11-29T09:00:00.000Z', message: 'flag "new-checkout" is no longer in the config' },
    };
    const fetch = statusApi({
      'GET /admin/v1/environments/production/rollouts': { json: { rollouts: [completed] } },
      'GET /admin/v1/environments/production/rollouts/ro_test_1': { json: completed },
    }).fetch;
    const human = await runCli(['status', 'new-checkout', '--env', 'production'], { fetch });
    expect(human.stdout).toContain('did not become the default (2026-11-29T09:00:00.000Z): flag "new-checkout" is no longer in the config');
  });

  it('an environment whose coordinator did not answer: the others shown, it named, exit 1', async () => {
    const down = { environment: 'staging', error: 'the coordinator did not answer; see the Worker logs (summary_failed)' };
    const api = () =>
      statusApi({ 'GET /admin/v1/environments': { json: { environments: [summary('development'), summary('production')], unavailable: [down] } } }).fetch;
    const human = await runCli(['status'], { fetch: api() });
    expect(human.code).toBe(1);
    expect(human.stdout).toContain('production (protected)');
    expect(human.stdout).toContain('staging  unavailable: the coordinator did not answer');
    const json = await runCli(['status', '--json'], { fetch: api() });
    expect(JSON.parse(json.stdout)).toMatchObject({ environments: [{ environment: 'development' }, { environment: 'production' }], unavailable: [down] });
    const one = await runCli(['status', '--env', 'staging'], { fetch: api() });
    expect(one.code).toBe(1);
    expect(one.stderr).toContain('the coordinator of "staging" did not answer');
  });

  it('an unknown environment is an error that lists the known ones', async () => {
    const r = await runCli(['status', '--env', 'qa'], { fetch: statusApi().fetch });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(
      'environment "qa" is not served by http://127.0.0.1:8787 or not visible to this token (it can see: development, staging, production)',
    );
  });

  it('colour only on a TTY and without NO_COLOR', async () => {
    const tty = await runCli(['status'], { fetch: statusApi().fetch, stdoutTTY: true, env: { NO_COLOR: undefined } });
    expect(tty.stdout).toContain('\u001b[');
    const noColor = await runCli(['status'], { fetch: statusApi().fetch, stdoutTTY: true, env: { NO_COLOR: '1' } });
    expect(noColor.stdout).not.toContain('\u001b[');
    const pipe = await runCli(['status'], { fetch: statusApi().fetch, stdoutTTY: false, env: { NO_COLOR: undefined } });
    expect(pipe.stdout).not.toContain('\u001b[');
  });
});

describe('health', () => {
  const healthBody = {
    status: 'ok',
    kv: { reachable: true },
    environments: {
      staging: { version: 4, source: 'kv', publishedAt: '2026-11-27T09:59:00.000Z', ageSeconds: 60 },
      production: { version: 7, source: 'kv', publishedAt: '2026-11-27T09:58:00.000Z', ageSeconds: 120 },
    },
  };

  it('--json: /health per environment, probes null when none are configured', async () => {
    const { fetch, calls } = fakeFetch(
      routes({
        'GET /health': { json: healthBody },
        'GET /admin/v1/environments': {
          json: { environments: [summary('staging'), summary('production', { probes: [{ name: 'api', consecutiveFailures: 2, lastStatus: 502 }] })] },
        },
      }),
    );
    const r = await runCli(['health', '--json'], { fetch });
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual({
      url: 'http://127.0.0.1:8787',
      status: 'ok',
      kvReachable: true,
      probesError: null,
      environments: [
        {
          environment: 'staging',
          version: 4,
          source: 'kv',
          publishedAt: '2026-11-27T09:59:00.000Z',
          ageSeconds: 60,
          lastError: null,
          probes: null,
          heldRollouts: 0,
          tickFailures: [],
        },
        {
          environment: 'production',
          version: 7,
          source: 'kv',
          publishedAt: '2026-11-27T09:58:00.000Z',
          ageSeconds: 120,
          lastError: null,
          probes: [{ name: 'api', consecutiveFailures: 2, lastStatus: 502 }],
          heldRollouts: 0,
          tickFailures: [],
        },
      ],
    });
    expect(calls[0]!.headers.get('authorization')).toBeNull();
    const human = await runCli(['health'], { fetch });
    expect(human.stdout).toContain('staging  snapshot version 4 · source kv · published 2026-11-27T09:59:00.000Z (1m ago)');
    expect(human.stdout).toContain('probes     no health checks configured');
    expect(human.stdout).toContain('probe      api 2 consecutive failures · last 502');
  });

  it('degraded (503, fallback source): exit 1', async () => {
    const body = {
      ...healthBody,
      status: 'degraded',
      environments: {
        ...healthBody.environments,
        production: { version: 0, source: 'fallback', publishedAt: null, ageSeconds: null, lastError: 'KV read failed' },
      },
    };
    const { fetch } = fakeFetch(routes({ 'GET /health': { status: 503, json: body }, 'GET /admin/v1/environments': { json: { environments: [] } } }));
    const r = await runCli(['health', '--env', 'production'], { fetch });
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('degraded');
    expect(r.stdout).toContain('source fallback (not from KV)');
    expect(r.stdout).toContain('last error KV read failed');
  });

  it('a rollout held because its tick fails: counted by /health, named from the admin API, exit 1', async () => {
    const held = { rollout: 'ro_test_1', flag: 'new-checkout', since: '2026-11-27T09:50:00.000Z' };
    const body = { ...healthBody, environments: { ...healthBody.environments, staging: { ...healthBody.environments.staging, heldRollouts: 1 } } };
    const withTickError = summary('staging', { activeRollouts: [{ ...active, tickError: { since: held.since, message: 'RangeError: Invalid time value' } }] });
    const api = (environments: unknown[]) =>
      fakeFetch(routes({ 'GET /health': { json: body }, 'GET /admin/v1/environments': { json: { environments } } })).fetch;
    const r = await runCli(['health', '--env', 'staging'], { fetch: api([withTickError]) });
    expect(r.code).toBe(1);
    expect(r.stdout).toContain(
      'held       rollout ro_test_1 of new-checkout: its tick fails since 2026-11-27T09:50:00.000Z (rollgate status new-checkout --env staging)',
    );
    const json = await runCli(['health', '--env', 'staging', '--json'], { fetch: api([withTickError]) });
    expect(JSON.parse(json.stdout)).toMatchObject({ status: 'degraded', environments: [{ environment: 'staging', heldRollouts: 1, tickFailures: [held] }] });
    // Without the admin API's answer, the count alone still says it and still fails.
    const countOnly = await runCli(['health', '--env', 'staging'], { fetch: api([]) });
    expect(countOnly.code).toBe(1);
    expect(countOnly.stdout).toContain('held       1 rollout whose tick fails (rollgate status --env staging)');
  });
});
