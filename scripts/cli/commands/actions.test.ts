import { describe, expect, it } from 'vitest';
import { CONFIG, fakeFetch, rolloutView, routes, runCli } from '../../../test/helpers/cli';

function api(env: string, rollouts = [rolloutView({ stageIndex: 1, percent: 25 })]) {
  return fakeFetch(
    routes({
      [`GET /admin/v1/environments/${env}/flags`]: { json: { version: 1, document: CONFIG, updatedAt: 'x', actor: 'dev' }, headers: { etag: '"1"' } },
      [`GET /admin/v1/environments/${env}/rollouts`]: { json: { rollouts } },
      [`GET /admin/v1/environments/${env}/rollouts/ro_test_1`]: { json: rollouts[0] },
      [`POST /admin/v1/environments/${env}/rollouts/ro_test_1/rollback`]: {
        json: { ...rolloutView({ status: 'rolled_back', percent: 0, stageIndex: 1 }), changed: true },
      },
      [`POST /admin/v1/environments/${env}/rollouts/ro_test_1/promote`]: (req) => ({
        json: { ...rolloutView({ stageIndex: 2, percent: 100 }), changed: (req.body as { fromStage: number }).fromStage === 1 },
      }),
      [`POST /admin/v1/environments/${env}/rollouts/ro_test_1/pause`]: {
        json: { ...rolloutView({ status: 'paused', stageIndex: 1, percent: 25 }), changed: true },
      },
    }),
  );
}

describe('rollback / promote / pause', () => {
  it('rollback finds the active rollout and posts the reason, without a prompt even in production', async () => {
    const { fetch, calls } = api('production');
    const r = await runCli(['rollback', 'new-checkout', '--env', 'production', '--reason', 'error spike in EU'], { fetch, stdinTTY: false });
    expect(r.code).toBe(0);
    const post = calls.find((c) => c.method === 'POST')!;
    expect(post.path).toBe('/admin/v1/environments/production/rollouts/ro_test_1/rollback');
    expect(post.body).toEqual({ reason: 'error spike in EU' });
    expect(r.stdout).toContain('rolled back new-checkout in production (ro_test_1): 25% → 0%');
  });

  it('rollback of an already rolled-back flag is a no-op (exit 0)', async () => {
    const { fetch, calls } = api('staging', [rolloutView({ status: 'rolled_back', percent: 0 })]);
    const r = await runCli(['rollback', 'new-checkout', '--env', 'staging', '--reason', 'again'], { fetch });
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('already rolled back');
    expect(calls.some((c) => c.method === 'POST')).toBe(false);
  });

  it('no active rollout: exit 1 with a pointer to status', async () => {
    const { fetch } = api('staging', []);
    const r = await runCli(['pause', 'new-checkout', '--env', 'staging', '--reason', 'x'], { fetch });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('flag "new-checkout" has no active rollout in staging');
  });

  it('promote sends fromStage = the current stage, and confirms in production', async () => {
    const { fetch, calls } = api('production');
    const r = await runCli(['promote', 'new-checkout', '--env', 'production', '--reason', 'looks good', '--yes', '--json'], { fetch });
    expect(r.code).toBe(0);
    const post = calls.find((c) => c.method === 'POST')!;
    expect(post.body).toEqual({ reason: 'looks good', fromStage: 1 });
    expect(post.headers.get('x-rollgate-confirm')).toBe('production');
    expect(JSON.parse(r.stdout)).toMatchObject({ environment: 'production', action: 'promote', changed: true, rollout: { stageIndex: 2, percent: 100 } });
  });

  it('promote in production without a TTY or --yes refuses and sends nothing', async () => {
    const { fetch, calls } = api('production');
    const r = await runCli(['promote', 'new-checkout', '--env', 'production', '--reason', 'x'], { fetch });
    expect(r.code).toBe(1);
    expect(calls.some((c) => c.method === 'POST')).toBe(false);
  });
});

describe('action help says whether the action asks for confirmation', () => {
  it.each([
    ['promote', true],
    ['resume', true],
    ['pause', false],
    ['rollback', false],
  ] as const)('%s --help', async (action, asks) => {
    const r = await runCli([action, '--help']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(asks ? 'Asks for confirmation in a protected environment' : 'Never asks for confirmation');
    expect(r.stdout.includes('[--yes]')).toBe(asks);
  });
});
