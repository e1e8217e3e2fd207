/**
 * Rollouts through the admin API: start (with its plan and audit entry), the refusals of a bad or
 * second rollout, the list and history, and pause, resume, promote and rollback with their
 * reasons, a repeated action changing nothing. (What an active rollout does to config writes and
 * OFREP: fetch.admin-active-rollout.test.ts.)
 */
import { describe, expect, it } from 'vitest';
import { TOKENS } from './helpers/admin';
import { adminKit, json, type Json, STAGING } from './helpers/admin-kit';
import { kvSnapshot } from './helpers/coordinator';

const kit = adminKit();
const { admin, auditOf, stateOf, seedStagingWithKey, startRollout, rolloutAction } = kit;

describe('rollouts', () => {
  it('starts a safe rollout at 5 % with its plan, and audits it', async () => {
    await seedStagingWithKey();
    const r = await startRollout();
    expect(r).toMatchObject({
      flag: 'new-checkout',
      variant: 'on',
      baselineVariant: 'off',
      status: 'running',
      stageIndex: 0,
      percent: 5,
      startedAt: kit.clock.now,
    });
    expect(r['plan']).toMatchObject({ strategy: 'safe', bakeSeconds: 48 * 3600 });
    expect(r['plan']['stages'].map((s: Json) => s['percent'])).toEqual([5, 10, 25, 50, 75, 100]);
    expect(r['nextPromotionAt']).toBe(new Date(kit.clock.now + 24 * 3600 * 1000).toISOString());
    const [entry] = await auditOf('staging');
    expect(entry).toMatchObject({ actor: 'alice-operator', action: 'rollout.start', target: r['id'], reason: 'launch' });
    expect((await kvSnapshot('staging'))!.flags['new-checkout']!.rollout).toEqual({ id: r['id'], variant: 'on', baselineVariant: 'off', percent: 5 });
  });

  it('refuses an unknown flag, an unknown variant, a second active rollout and non-increasing stages', async () => {
    await seedStagingWithKey();
    const first = await startRollout();
    const before = await stateOf('staging');

    const cases: [Json, number, RegExp][] = [
      [{ flag: 'no-such-flag', variant: 'on', strategy: 'safe' }, 422, /no-such-flag/],
      [{ flag: 'new-checkout', variant: 'maybe', strategy: 'safe' }, 422, /maybe/],
      [{ flag: 'static-bool', variant: 'on', baselineVariant: 'nope', strategy: 'fast' }, 422, /nope/],
      [{ flag: 'new-checkout', variant: 'on', strategy: 'fast' }, 409, new RegExp(first['id'] as string)],
      [{ flag: 'new-checkout', variant: 'off', strategy: 'instant' }, 409, new RegExp(first['id'] as string)],
    ];
    for (const [body, status, message] of cases) {
      const res = await admin('POST', `${STAGING}/rollouts`, { body });
      expect({ body, status: res.status }).toEqual({ body, status });
      expect((await json(res))['error']).toMatch(message);
    }

    const flat = await admin('POST', `${STAGING}/rollouts`, {
      body: {
        flag: 'static-bool',
        variant: 'off',
        strategy: 'safe',
        stages: [
          { percent: 10, afterSeconds: 0 },
          { percent: 10, afterSeconds: 60 },
          { percent: 100, afterSeconds: 120 },
        ],
      },
    });
    expect(flat.status).toBe(422);
    expect((await json(flat))['errors']).toEqual([expect.objectContaining({ path: '/stages/1/percent' })]);
    const decreasing = await admin('POST', `${STAGING}/rollouts`, {
      body: {
        flag: 'static-bool',
        variant: 'off',
        strategy: 'safe',
        stages: [
          { percent: 50, afterSeconds: 0 },
          { percent: 20, afterSeconds: 60 },
          { percent: 100, afterSeconds: 120 },
        ],
      },
    });
    expect(decreasing.status).toBe(422);
    expect((await json(decreasing))['errors']).toEqual([expect.objectContaining({ path: '/stages/1/percent' })]);
    const bad = await admin('POST', `${STAGING}/rollouts`, { body: { flag: 'static-bool', variant: 'off', strategy: 'sometimes' } });
    expect(bad.status).toBe(422);

    expect(await stateOf('staging')).toEqual(before);
    const list = await json(await admin('GET', `${STAGING}/rollouts`));
    expect(list['rollouts'].map((r: Json) => r['id'])).toEqual([first['id']]);
  });

  it('lists rollouts and shows one with its history; 404 for an unknown id', async () => {
    await seedStagingWithKey();
    const r = await startRollout();
    const list = await admin('GET', `${STAGING}/rollouts`, { token: TOKENS.viewer });
    expect(list.status).toBe(200);
    expect((await json(list))['rollouts']).toEqual([expect.objectContaining({ id: r['id'], status: 'running', percent: 5 })]);
    expect((await json(await admin('GET', `${STAGING}/rollouts?status=completed`)))['rollouts']).toEqual([]);

    expect((await rolloutAction(r['id'], 'promote', 'looks good')).status).toBe(200);
    const one = await admin('GET', `${STAGING}/rollouts/${r['id']}`, { token: TOKENS.viewer });
    expect(one.status).toBe(200);
    const body = await json(one);
    expect(body).toMatchObject({ id: r['id'], status: 'running', percent: 10, stageIndex: 1 });
    expect(body['history']).toEqual([
      expect.objectContaining({ actor: 'alice-operator', event: 'promoted', fromStatus: 'running', toStatus: 'running', fromPercent: 5, toPercent: 10 }),
    ]);

    const missing = await admin('GET', `${STAGING}/rollouts/ro_nope`);
    expect(missing.status).toBe(404);
    const missingAction = await rolloutAction('ro_nope', 'pause', 'x');
    expect(missingAction.status).toBe(404);
    const unknownAction = await rolloutAction(r['id'], 'explode', 'x');
    expect(unknownAction.status).toBe(404);
  });

  it('pause, resume, promote and rollback each take a reason and are audited with actor and reason', async () => {
    await seedStagingWithKey();
    const r = await startRollout();
    const id = r['id'] as string;

    const noReason = await rolloutAction(id, 'pause', undefined);
    expect(noReason.status).toBe(422);

    const steps: [string, string, Json][] = [
      ['pause', 'checking the dashboards', { status: 'paused', percent: 5 }],
      ['resume', 'dashboards are fine', { status: 'running', percent: 5 }],
      ['promote', 'ahead of schedule', { status: 'running', percent: 10 }],
      ['rollback', 'support tickets', { status: 'rolled_back', percent: 0 }],
    ];
    for (const [name, reason, expected] of steps) {
      const res = await rolloutAction(id, name, reason);
      expect({ name, status: res.status }).toEqual({ name, status: 200 });
      expect(await json(res)).toMatchObject({ ...expected, changed: true });
    }
    const entries = await auditOf('staging', '&action=rollout.pause');
    expect(entries).toHaveLength(1);
    const rolloutEntries = (await auditOf('staging')).filter((e) => e['target'] === id);
    expect(rolloutEntries.map((e) => [e['action'], e['actor'], e['reason']])).toEqual([
      ['rollout.rollback', 'alice-operator', 'support tickets'],
      ['rollout.promote', 'alice-operator', 'ahead of schedule'],
      ['rollout.resume', 'alice-operator', 'dashboards are fine'],
      ['rollout.pause', 'alice-operator', 'checking the dashboards'],
      ['rollout.start', 'alice-operator', 'launch'],
    ]);
    expect(rolloutEntries[0]!['diff']).toMatchObject({ before: { status: 'running', percent: 10 }, after: { status: 'rolled_back', percent: 0 } });

    const history = (await json(await admin('GET', `${STAGING}/rollouts/${id}`)))['history'] as Json[];
    expect(history.map((t) => t['event'])).toEqual(['paused', 'resumed', 'promoted', 'rolled_back']);

    // Rolled back: the snapshot no longer carries the rollout.
    expect((await kvSnapshot('staging'))!.flags['new-checkout']!.rollout).toBeUndefined();
  });

  it('a duplicate rollback changes nothing: same state, no audit entry, no publish', async () => {
    await seedStagingWithKey();
    const r = await startRollout();
    const first = await rolloutAction(r['id'], 'rollback', 'errors up');
    expect(first.status).toBe(200);
    const afterFirst = await json(first);
    expect(afterFirst).toMatchObject({ status: 'rolled_back', percent: 0, changed: true });
    const before = await stateOf('staging');
    const summaryBefore = await json(await admin('GET', '/environments'));

    for (const name of ['rollback', 'rollback', 'pause', 'resume', 'promote']) {
      const again = await rolloutAction(r['id'], name, 'again');
      expect({ name, status: again.status }).toEqual({ name, status: 200 });
      const body = await json(again);
      expect(body).toEqual({ ...afterFirst, changed: false });
    }
    expect(await stateOf('staging')).toEqual(before);
    expect(await json(await admin('GET', '/environments'))).toEqual(summaryBefore);
    expect((await json(await admin('GET', `${STAGING}/rollouts/${r['id']}`)))['history']).toHaveLength(1);
  });
});
