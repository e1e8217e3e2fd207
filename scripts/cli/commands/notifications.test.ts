import { describe, expect, it } from 'vitest';
import { fakeFetch, routes, runCli } from '../../../test/helpers/cli';

const delivered = {
  id: 'nd_1',
  notification: 'ops',
  origin: 'https://hooks.example.com',
  format: 'json',
  event: 'rollout.rolled_back',
  target: 'ro_1',
  flag: 'new-checkout',
  status: 'delivered',
  attempts: 3,
  createdAt: '2026-11-27T10:00:00.000Z',
  nextAttemptAt: null,
  deliveredAt: '2026-11-27T10:00:10.000Z',
  lastStatus: 200,
  lastError: null,
  attemptLog: [
    { at: '2026-11-27T10:00:00.000Z', status: 500, error: 'status 500', durationMs: 40 },
    { at: '2026-11-27T10:00:02.000Z', status: 500, error: 'status 500', durationMs: 35 },
    { at: '2026-11-27T10:00:10.000Z', status: 200, error: null, durationMs: 30 },
  ],
};
const retrying = {
  ...delivered,
  id: 'nd_2',
  event: 'config.changed',
  target: 'config v4',
  flag: null,
  status: 'pending',
  attempts: 1,
  createdAt: '2026-11-27T10:05:00.000Z',
  nextAttemptAt: '2026-11-27T10:05:02.000Z',
  deliveredAt: null,
  lastStatus: null,
  lastError: 'timed out after 5000 ms',
  attemptLog: [{ at: '2026-11-27T10:05:00.000Z', status: null, error: 'timed out after 5000 ms', durationMs: 5000 }],
};

describe('notifications', () => {
  it('prints each delivery: when, event, flag or target, receiver, status and its last attempt', async () => {
    const { fetch, calls } = fakeFetch(routes({ 'GET /admin/v1/environments/production/notifications': { json: { deliveries: [retrying, delivered] } } }));
    const r = await runCli(['notifications', '--env', 'production'], { fetch });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const lines = r.stdout.trimEnd().split('\n');
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatch(
      /^2026-11-27T10:05:00Z {2}config\.changed {7}config v4 {5}ops \(https:\/\/hooks\.example\.com\) {2}pending {4}1 attempt · timed out after 5000 ms · next 2026-11-27T10:05:02Z$/,
    );
    expect(lines[1]).toMatch(
      /^2026-11-27T10:00:00Z {2}rollout\.rolled_back {2}new-checkout {2}ops \(https:\/\/hooks\.example\.com\) {2}delivered {2}3 attempts · HTTP 200$/,
    );
    expect(calls.map((c) => c.path)).toEqual(['/admin/v1/environments/production/notifications?limit=20']);
  });

  it('--failed asks for failed ones, --limit bounds, --json prints the deliveries as the API gives them', async () => {
    const { fetch, calls } = fakeFetch(routes({ 'GET /admin/v1/environments/staging/notifications': { json: { deliveries: [retrying] } } }));
    const r = await runCli(['notifications', '--env', 'staging', '--failed', '--limit', '5', '--json'], { fetch });
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual({ environment: 'staging', deliveries: [retrying] });
    expect(calls[0]!.path).toBe('/admin/v1/environments/staging/notifications?limit=5&failed=true');
  });

  it('says so when there is nothing', async () => {
    const { fetch } = fakeFetch(routes({ 'GET /admin/v1/environments/staging/notifications': { json: { deliveries: [] } } }));
    const r = await runCli(['notifications', '--env', 'staging', '--failed'], { fetch });
    expect(r.code).toBe(0);
    expect(r.stdout).toBe('no failed notification deliveries in staging\n');
  });

  it('a bad --limit or a positional is a usage error; nothing is sent', async () => {
    const { fetch, calls } = fakeFetch(routes({}));
    for (const args of [['--limit', '0'], ['--limit', '501'], ['extra']]) {
      expect((await runCli(['notifications', '--env', 'staging', ...args], { fetch })).code).toBe(2);
    }
    expect(calls).toEqual([]);
  });
});
