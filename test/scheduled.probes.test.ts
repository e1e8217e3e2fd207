/**
 * scheduled() with health-check probes: five consecutive failures roll back, a success resets
 * the count, an unexpected status or a timeout counts as a failure.
 */
import { describe, expect, it } from 'vitest';
import { configWith } from './helpers/coordinator';
import { FLAG, HEALTHY, kvSnapshotOf, MIN, type Sim, fakeProbe } from './helpers/health-sim';
import { simEachTest } from './helpers/sim-kit';

let sim: Sim;
simEachTest((s) => (sim = s));

describe('scheduled(): health-check probes', () => {
  const withProbe = configWith((c) => {
    c.environments = [
      { name: 'staging', healthChecks: [{ name: 'api', url: 'https://probe.test/health' }] },
      'development',
      { name: 'production', protected: true },
    ];
  });

  it('rolls back after 5 consecutive probe failures, with trigger probes', async () => {
    await sim.setup(withProbe);
    const r = await sim.start();
    const probe = fakeProbe(() => 500);
    await sim.setProbeFetch(probe.fetch);
    for (let k = 1; k <= 4; k++) {
      await sim.postMinutesBefore(sim.T0 + k * MIN, 1, () => HEALTHY);
      await sim.tick(sim.T0 + k * MIN);
      expect(await sim.rollout(r.id), `after ${k} failures`).toMatchObject({ status: 'running', percent: 5 });
      expect((await sim.summary()).probes).toEqual([
        expect.objectContaining({ name: 'api', url: 'https://probe.test/health', consecutiveFailures: k, lastStatus: 500 }),
      ]);
    }
    await sim.tick(sim.T0 + 5 * MIN);
    const now = await sim.rollout(r.id);
    expect(now).toMatchObject({ status: 'rolled_back', percent: 0, lastVerdict: { kind: 'breached', trigger: 'probes', numbers: { probeFailures: 5 } } });
    expect(now.lastDecision).toBe('rolled back: probes 5 failed ≥ 5');
    expect(probe.calls).toEqual(Array(5).fill('https://probe.test/health'));
    const [entry] = await sim.audit('rollout.auto_rolled_back');
    expect(entry!.diff.events[0]).toMatchObject({ trigger: 'probes', numbers: { probeFailures: 5 } });
    expect((await kvSnapshotOf())!.flags[FLAG]).not.toHaveProperty('rollout');
  });

  it('resets the count on a success: 4 failures, a success, 4 failures roll nothing back', async () => {
    await sim.setup(withProbe);
    const r = await sim.start();
    const statuses = [500, 500, 500, 500, 200, 500, 500, 500, 500];
    const expected = [1, 2, 3, 4, 0, 1, 2, 3, 4];
    let call = 0;
    await sim.setProbeFetch(fakeProbe(() => statuses[call++]!).fetch);
    for (let k = 0; k < statuses.length; k++) {
      await sim.tick(sim.T0 + (k + 1) * MIN);
      const [probe] = (await sim.summary()).probes;
      expect(probe, `after probe ${k + 1} (${statuses[k]})`).toMatchObject({ name: 'api', consecutiveFailures: expected[k], lastStatus: statuses[k] });
      expect((await sim.rollout(r.id)).status).toBe('running');
    }
    expect(call).toBe(statuses.length);
    expect(await sim.audit('rollout.auto_rolled_back')).toEqual([]);
    expect((await kvSnapshotOf())!.flags[FLAG]!.rollout).toMatchObject({ id: r.id, percent: 5 });
  });

  it('counts an unexpected status and a timeout as failures', async () => {
    await sim.setup(
      configWith((c) => {
        c.environments = [
          {
            name: 'staging',
            healthChecks: [
              { name: 'api', url: 'https://probe.test/health', expectStatus: 204 },
              { name: 'slow', url: 'https://probe.test/slow', timeoutMs: 50 },
            ],
          },
          'development',
          { name: 'production', protected: true },
        ];
      }),
    );
    await sim.setProbeFetch(async (input: RequestInfo | URL, init?: RequestInit) => {
      if ((input instanceof Request ? input.url : String(input)).endsWith('/health')) return new Response('ok', { status: 200 });
      // Never answers: only the probe's timeout ends the wait.
      // eslint-disable-next-line @typescript-eslint/prefer-promise-reject-errors -- rejects with the signal's reason, as fetch does on abort
      return new Promise<Response>((_resolve, reject) => init?.signal?.addEventListener('abort', () => reject(init.signal!.reason)));
    });
    await sim.tick(sim.T0 + MIN);
    expect((await sim.summary()).probes).toEqual([
      expect.objectContaining({ name: 'api', consecutiveFailures: 1, lastStatus: 200, lastError: 'status 200' }),
      expect.objectContaining({ name: 'slow', consecutiveFailures: 1, lastStatus: null, lastError: 'timed out' }),
    ]);
  });
});
