import { describe, expect, it } from 'vitest';
import { Capture, fakeFetch, fakeIo, rolloutView, routes, runCli } from '../../../test/helpers/cli';
import type { RolloutView } from './api';
import { AdminClient } from './http';
import { paint } from './output';
import { classify, LiveDisplay, logLine, PlainDisplay, silentDisplay, waitForRollout } from './progress';
import { resolveTarget } from './target';

const healthy = {
  kind: 'healthy',
  numbers: { samples: 1200, errorRate: 0.0012, p95Ms: 180, p99Ms: 420, baseline: { samples: 22000, errorRate: 0.001, p95Ms: 170, p99Ms: 400 } },
} as const;
const insufficient = { kind: 'insufficient-data', samples: 12, required: 100 } as const;

/** Serves the given rollout states in order, one per GET, repeating the last. */
function sequence(states: RolloutView[]) {
  let i = 0;
  return fakeFetch(
    routes({
      'GET /admin/v1/environments/staging/rollouts/ro_test_1': () => ({ json: states[Math.min(i++, states.length - 1)] }),
    }),
  );
}

async function watch(states: RolloutView[], waitSeconds = 60, intervalSeconds = 5) {
  const { fetch, calls } = sequence(states);
  const { io, stdout } = fakeIo({ fetch });
  const client = new AdminClient(resolveTarget({ env: 'staging' }, {}), fetch);
  const display = new PlainDisplay(stdout);
  const result = await waitForRollout({ client, io, environment: 'staging', id: 'ro_test_1', waitSeconds, intervalSeconds, display });
  return { result, calls, stdout: stdout.text };
}

describe('waitForRollout', () => {
  it('exit 0 when the rollout completes during the wait', async () => {
    const { result, calls } = await watch([
      rolloutView({ lastVerdict: healthy }),
      rolloutView({ stageIndex: 1, percent: 25, lastVerdict: healthy }),
      rolloutView({ status: 'completed', stageIndex: 2, percent: 100, lastVerdict: healthy }),
    ]);
    expect(result).toMatchObject({ outcome: 'completed', exitCode: 0 });
    expect(calls).toHaveLength(3);
  });

  it('exit 3 as soon as it is rolled back', async () => {
    const { result, calls, stdout } = await watch([
      rolloutView({ lastVerdict: healthy }),
      rolloutView({
        status: 'rolled_back',
        percent: 0,
        lastVerdict: { kind: 'breached', trigger: 'error_rate', numbers: { errorRate: 0.05 } },
        lastDecision: 'rolled back: error_rate 5% > 1%',
      }),
      rolloutView({ status: 'rolled_back', percent: 0 }),
    ]);
    expect(result).toMatchObject({ outcome: 'rolled_back', exitCode: 3 });
    expect(result.message).toContain('rolled back: error_rate 5% > 1%');
    expect(calls).toHaveLength(2);
    expect(stdout).toContain('rolled_back 0%');
  });

  it('exit 4 when the wait ends with insufficient data', async () => {
    const { result, calls } = await watch([rolloutView({ lastVerdict: insufficient, lastDecision: 'waiting: insufficient data (12 of 100 samples)' })], 20, 5);
    expect(result).toMatchObject({ outcome: 'insufficient-data', exitCode: 4 });
    expect(result.message).toContain('insufficient data (12 of 100 samples)');
    // polls at 0, 5, 10, 15 and 20 s: the last poll is at the deadline
    expect(calls).toHaveLength(5);
  });

  it('exit 4 when no health check has run by the end', async () => {
    const { result } = await watch([rolloutView()], 10);
    expect(result).toMatchObject({ outcome: 'insufficient-data', exitCode: 4 });
  });

  it('exit 0 when the wait ends while healthy', async () => {
    const { result } = await watch([rolloutView({ lastVerdict: insufficient }), rolloutView({ lastVerdict: healthy })], 10);
    expect(result).toMatchObject({ outcome: 'healthy', exitCode: 0 });
  });

  it('exit 1 when the wait ends degraded', async () => {
    const { result } = await watch([rolloutView({ lastVerdict: { kind: 'degraded', trigger: 'p95', numbers: { p95Ms: 900 } } })], 10);
    expect(result).toMatchObject({ outcome: 'unhealthy', exitCode: 1 });
  });

  it('retries transient failures until the deadline', async () => {
    let n = 0;
    const { fetch } = fakeFetch(() => (n++ === 0 ? { status: 503, json: { error: 'busy' } } : { json: rolloutView({ status: 'completed', percent: 100 }) }));
    const { io, stdout } = fakeIo({ fetch });
    const client = new AdminClient(resolveTarget({}, {}), fetch);
    const result = await waitForRollout({
      client,
      io,
      environment: 'staging',
      id: 'ro_test_1',
      waitSeconds: 60,
      intervalSeconds: 5,
      display: new PlainDisplay(stdout),
    });
    expect(result.exitCode).toBe(0);
    expect(stdout.text).toContain('warning: Rollgate answered 503: busy');
  });

  it('gives up at once on a 4xx (e.g. the token was revoked)', async () => {
    const { fetch } = fakeFetch(() => ({ status: 401, json: { error: 'the admin token is not valid' } }));
    const { io } = fakeIo({ fetch });
    const client = new AdminClient(resolveTarget({}, {}), fetch);
    await expect(waitForRollout({ client, io, environment: 'staging', id: 'x', waitSeconds: 60, intervalSeconds: 5, display: silentDisplay })).rejects.toThrow(
      /401/,
    );
  });

  it('the plain display logs a line only when something changes', async () => {
    const a = rolloutView({ lastVerdict: healthy });
    const { stdout } = await watch([a, a, a, rolloutView({ stageIndex: 1, percent: 25, lastVerdict: healthy, lastDecision: 'promoted: 5% → 25%' })], 15);
    const lines = stdout.trim().split('\n');
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatch(
      /^2026-11-27T10:00:00Z new-checkout running 5% stage 1\/3 verdict healthy \[on: err 0\.12% p95 180 ms p99 420 ms n=1,200; baseline: err 0\.1% p95 170 ms p99 400 ms n=22,000\] — started at 5%$/,
    );
    expect(lines[1]).toContain('running 25% stage 2/3');
  });

  it('the live display redraws in place and shows treatment vs baseline', () => {
    const out = new Capture(true, 100);
    const d = new LiveDisplay(out, paint(false), 'staging');
    const now = Date.parse('2026-11-27T09:30:00Z');
    d.update(rolloutView({ lastVerdict: healthy }), now, now + 600_000);
    const first = out.text;
    expect(first).toContain('new-checkout → on in staging');
    expect(first).toContain('5%  stage 1 of 3  running');
    expect(first).toContain('[5%] ─ 25% ─ 100%');
    expect(first).toContain('25% at 2026-11-27T10:00:00Z (in 30m), if healthy');
    expect(first).toMatch(/treatment \(on\)\s+0\.12%\s+180 ms\s+420 ms\s+1,200/);
    expect(first).toMatch(/baseline \(default\)\s+0\.1%\s+170 ms\s+400 ms\s+22,000/);
    expect(first).toContain('10m left');
    const linesDrawn = first.trimEnd().split('\n').length;
    d.update(rolloutView({ lastVerdict: healthy }), now + 1000, now + 600_000);
    expect(out.text.slice(first.length).startsWith(`\u001b[${linesDrawn}F\u001b[0J`)).toBe(true);
  });

  it('classify maps aborted to 1', () => {
    expect(classify(rolloutView({ status: 'aborted' }), 0).exitCode).toBe(1);
  });

  it('logLine without numbers', () => {
    expect(logLine(rolloutView(), Date.parse('2026-11-27T10:00:00Z'))).toBe(
      '2026-11-27T10:00:00Z new-checkout running 5% stage 1/3 verdict no verdict yet (no health check has run) — started at 5%',
    );
  });
});

describe('deploy --wait (through the CLI)', () => {
  function api(states: RolloutView[]) {
    let i = 0;
    return fakeFetch(
      routes({
        'GET /admin/v1/environments/staging/flags': {
          json: { version: 3, document: { flags: {} }, updatedAt: '2026-11-27T09:00:00.000Z', actor: 'dev' },
          headers: { etag: '"3"' },
        },
        'POST /admin/v1/environments/staging/rollouts': { status: 201, json: rolloutView() },
        'GET /admin/v1/environments/staging/rollouts/ro_test_1': () => ({ json: states[Math.min(i++, states.length - 1)] }),
      }),
    );
  }

  it('sends the custom stages and exits 3 on rollback, with log lines on a pipe', async () => {
    const { fetch, calls } = api([
      rolloutView({ lastVerdict: healthy }),
      rolloutView({ status: 'rolled_back', percent: 0, lastDecision: 'rolled back: p99 1500 ms > 1000 ms' }),
    ]);
    const r = await runCli(
      [
        'deploy',
        'new-checkout',
        '--variant',
        'on',
        '--stages',
        '5:0,25:1h,100:2h',
        '--bake',
        '10m',
        '--env',
        'staging',
        '--wait',
        '60',
        '--interval',
        '0.5',
        '--reason',
        'JIRA-1',
      ],
      { fetch },
    );
    expect(r.code).toBe(3);
    const post = calls.find((c) => c.method === 'POST')!;
    expect(post.body).toEqual({
      flag: 'new-checkout',
      variant: 'on',
      strategy: 'safe',
      stages: [
        { percent: 5, afterSeconds: 0 },
        { percent: 25, afterSeconds: 3600 },
        { percent: 100, afterSeconds: 7200 },
      ],
      bakeSeconds: 600,
      reason: 'JIRA-1',
    });
    expect(r.stdout).toContain('started rollout ro_test_1');
    expect(r.stdout).toMatch(/new-checkout running 5% stage 1\/3 verdict healthy/);
    expect(r.stdout).toContain('rollout rolled back — rolled back: p99 1500 ms > 1000 ms');
    expect(r.stdout).not.toContain('\u001b[');
  });

  it('exits 0 when completed and 4 when insufficient; --json prints the outcome', async () => {
    const done = await runCli(['deploy', 'new-checkout', '--variant', 'on', '--strategy', 'instant', '--env', 'staging', '--wait', '30'], {
      fetch: api([rolloutView({ status: 'completed', percent: 100 })]).fetch,
    });
    expect(done.code).toBe(0);
    const starved = await runCli(['deploy', 'new-checkout', '--variant', 'on', '--strategy', 'safe', '--env', 'staging', '--wait', '30', '--json'], {
      fetch: api([rolloutView({ lastVerdict: insufficient })]).fetch,
    });
    expect(starved.code).toBe(4);
    const json = JSON.parse(starved.stdout) as { environment: string; outcome: string; exitCode: number; rollout: { id: string } };
    expect(json).toMatchObject({ environment: 'staging', outcome: 'insufficient-data', exitCode: 4, rollout: { id: 'ro_test_1' } });
  });
});
