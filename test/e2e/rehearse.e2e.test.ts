/**
 * `npm run rehearse` as the RUNBOOK tells an operator to run it: it starts its own dev server (own
 * port, temporary state), deploys with the CLI, posts breaching reports and fires the cron, and
 * must end in an automatic rollback, exit 0.
 */
import { spawn } from 'node:child_process';
import { describe, expect, it } from 'vitest';

describe('npm run rehearse', () => {
  it('rolls a rollout back automatically, driven by posted reports and the cron, and says so', async () => {
    const child = spawn('npm', ['run', '--silent', 'rehearse'], { stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (out += d.toString()));
    const code = await new Promise<number>((resolve) => child.on('close', (c) => resolve(c ?? -1)));
    expect(out).toMatch(/started rollout ro_\S+; watching for 90s/);
    expect(out).toContain('rehearse: posted a minute of reports for "on": 100 requests, 20 errors');
    expect(out).toMatch(/✘ rollout rolled back — rolled back: error_rate 20% > 1%/);
    expect(out).toContain('rehearse: audit: rollout.auto_rolled_back — rolled back: error_rate 20% > 1%');
    expect(out).toMatch(/rehearse: rolled back automatically in \d+ s; OFREP serves rehearsal-user "(on|off)" \(\w+, no rollout\)/);
    expect(code, out).toBe(0);
  }, 150_000);
});
