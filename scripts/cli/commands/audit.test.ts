/** rollgate audit: paging, filters and the human form. */
import { describe, expect, it } from 'vitest';
import { fakeFetch, routes, runCli } from '../../../test/helpers/cli';

describe('audit', () => {
  const entry = (id: number, action = 'config.put') => ({
    id,
    at: '2026-11-27T09:00:00.000Z',
    actor: 'ops',
    environment: 'production',
    action,
    target: `t${id}`,
    reason: `r${id}`,
    diff: null,
  });

  it('pages with nextCursor until --limit, newest first; --json keeps the cursor', async () => {
    const pages: Record<string, { entries: unknown[]; nextCursor: string | null }> = {
      '': { entries: [entry(9), entry(8), entry(7)], nextCursor: '7' },
      '7': { entries: [entry(6), entry(5)], nextCursor: '5' },
    };
    const { fetch, calls } = fakeFetch(
      routes({ 'GET /admin/v1/environments/production/audit': (req) => ({ json: pages[req.url.searchParams.get('cursor') ?? '']! }) }),
    );
    const r = await runCli(['audit', '--env', 'production', '--limit', '5', '--flag', 'new-checkout', '--json'], { fetch });
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(out).toMatchObject({ environment: 'production', nextCursor: '5' });
    expect(out.entries.map((e: { id: number }) => e.id)).toEqual([9, 8, 7, 6, 5]);
    expect(calls.map((c) => c.url.search)).toEqual(['?limit=5&flag=new-checkout', '?limit=2&cursor=7&flag=new-checkout']);
  });

  it('human: one line per entry with a summary of the change', async () => {
    const rollback = {
      ...entry(4, 'rollout.auto_rolled_back'),
      actor: 'rollgate',
      diff: {
        before: { status: 'running', percent: 25 },
        after: { status: 'rolled_back', percent: 0 },
        events: [{ type: 'rolled_back', trigger: 'error_rate', numbers: { errorRate: 0.023, samples: 500 } }],
      },
    };
    const put = {
      ...entry(3),
      diff: {
        fromVersion: 2,
        toVersion: 3,
        changes: [
          { target: 'dark-mode', change: 'changed' },
          { target: 'x', change: 'added' },
        ],
      },
    };
    const { fetch } = fakeFetch(() => ({ json: { entries: [rollback, put], nextCursor: null } }));
    const r = await runCli(['audit', '--env', 'production'], { fetch });
    expect(r.stdout).toMatch(
      /#4\s+rollgate\s+rollout\.auto_rolled_back\s+t4\s+running 25% → rolled_back 0% · trigger error_rate \(err 2\.3% · p95 – · p99 – · 500 samples\)/,
    );
    expect(r.stdout).toMatch(/#3\s+ops\s+config\.put\s+t3\s+v2 → v3: ~dark-mode \+x {2}"r3"/);
  });

  it('passes --actor, --since and --until to the API (times as ISO instants) and keeps them in the "more" hint', async () => {
    const { fetch, calls } = fakeFetch(() => ({ json: { entries: [entry(9)], nextCursor: '9' } }));
    const r = await runCli(
      ['audit', '--env', 'production', '--limit', '1', '--actor', 'rollgate', '--since', '2026-11-28T02:00Z', '--until', '2026-11-28T03:00:00+01:00'],
      {
        fetch,
      },
    );
    expect(r.code).toBe(0);
    expect(Object.fromEntries(calls[0]!.url.searchParams)).toEqual({
      limit: '1',
      actor: 'rollgate',
      since: '2026-11-28T02:00:00.000Z',
      until: '2026-11-28T02:00:00.000Z',
    });
    expect(r.stdout).toContain('--cursor 9 --actor rollgate --since 2026-11-28T02:00:00.000Z --until 2026-11-28T02:00:00.000Z');
  });

  it('refuses a time that is not one, before calling the API', async () => {
    const { fetch, calls } = fakeFetch(() => ({ json: { entries: [], nextCursor: null } }));
    const r = await runCli(['audit', '--env', 'production', '--since', 'yesterday'], { fetch });
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain('--since must be an ISO 8601 time');
    expect(calls).toEqual([]);
  });
});
