/**
 * Every CLI write to a protected environment goes out with X-Rollgate-Confirm after the prompt
 * (or --yes); rollback and pause never ask. The fake API enforces the Worker's rule: an
 * unconfirmed write to production is 428.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CONFIG, fakeFetch, type FakeAnswer, rolloutView, runCli, type SeenRequest } from '../../../test/helpers/cli';
import { tempDirForTests } from '../../../test/helpers/temp-dir';

const dir = tempDirForTests('rollgate-cli-confirm-');
const file = join(dir, 'flags.json');
const changed = structuredClone(CONFIG) as typeof CONFIG & { flags: Record<string, unknown> };
changed.flags['dark-mode'] = { state: 'ENABLED', variants: { on: true, off: false }, defaultVariant: 'off' };
writeFileSync(file, JSON.stringify(changed));

const PROD = '/admin/v1/environments/production';
const paused = () => rolloutView({ status: 'paused', stageIndex: 1, percent: 25 });

/** The Worker's rule for production: reads pass; a write that is not a rollback or pause needs the header. */
function protectedApi(rollout = rolloutView({ stageIndex: 1, percent: 25 })) {
  return fakeFetch((req: SeenRequest): FakeAnswer => {
    const path = req.url.pathname;
    if (req.method === 'GET' && path === `${PROD}/flags`)
      return { json: { version: 3, document: CONFIG, updatedAt: 'x', actor: 'dev' }, headers: { etag: '"3"' } };
    if (req.method === 'GET' && path === `${PROD}/rollouts`) return { json: { rollouts: [rollout] } };
    if (req.method === 'GET' && path === `${PROD}/rollouts/${rollout.id}`) return { json: rollout };
    const safety = /\/rollouts\/[^/]+\/(rollback|pause)$/.test(path);
    if (!safety && req.headers.get('x-rollgate-confirm') !== 'production')
      return { status: 428, json: { error: '"production" is protected: repeat the request with the header X-Rollgate-Confirm: production' } };
    if (path === `${PROD}/flags`) return { json: { version: 4, changed: true, warnings: [] } };
    if (path === `${PROD}/flags/revert`) return { json: { version: 4, changed: true, warnings: [] } };
    if (path === `${PROD}/rollouts`) return { status: 201, json: rolloutView() };
    const action = /\/rollouts\/ro_test_1\/(\w+)$/.exec(path)?.[1];
    if (action)
      return {
        json: {
          ...rolloutView({ status: action === 'rollback' ? 'rolled_back' : action === 'pause' ? 'paused' : 'running', stageIndex: 2, percent: 100 }),
          changed: true,
        },
      };
    if (req.method === 'POST' && path === `${PROD}/keys`)
      return { status: 201, json: { name: 'web', key: 'rg_production_x', scopes: ['evaluate'], changed: true } };
    if (req.method === 'DELETE' && path === `${PROD}/keys/web`) return { json: { name: 'web' } };
    return { status: 404, json: { error: `no fake route for ${req.method} ${path}` } };
  });
}

const WRITES: { name: string; argv: string[]; rollout?: ReturnType<typeof rolloutView> }[] = [
  { name: 'deploy', argv: ['deploy', 'new-checkout', '--variant', 'on', '--strategy', 'safe'] },
  { name: 'promote', argv: ['promote', 'new-checkout', '--reason', 'r'] },
  { name: 'resume', argv: ['resume', 'new-checkout', '--reason', 'r'], rollout: paused() },
  { name: 'keys issue', argv: ['keys', 'issue', '--name', 'web'] },
  { name: 'keys revoke', argv: ['keys', 'revoke', '--name', 'web'] },
  { name: 'revert', argv: ['revert', '--to', '2'] },
  { name: 'push', argv: ['push', file] },
];

const isWrite = (c: SeenRequest) => c.method !== 'GET';

describe('CLI writes to a protected environment', () => {
  for (const w of WRITES) {
    it(`${w.name} --yes sends X-Rollgate-Confirm: production`, async () => {
      const { fetch, calls } = protectedApi(w.rollout);
      const r = await runCli([...w.argv, '--env', 'production', '--yes'], { fetch });
      expect({ stderr: r.stderr, code: r.code }).toEqual({ stderr: '', code: 0 });
      const writes = calls.filter(isWrite);
      expect(writes).toHaveLength(1);
      expect(writes[0]!.headers.get('x-rollgate-confirm')).toBe('production');
    });

    it(`${w.name} without --yes and without a terminal refuses and sends no write`, async () => {
      const { fetch, calls } = protectedApi(w.rollout);
      const r = await runCli([...w.argv, '--env', 'production'], { fetch });
      expect(r.code).toBe(1);
      expect(r.stderr).toContain('"production" is protected and there is no terminal to confirm on');
      expect(calls.filter(isWrite)).toEqual([]);
    });

    it(`${w.name} at a terminal asks, then sends the confirmation`, async () => {
      const { fetch, calls } = protectedApi(w.rollout);
      const r = await runCli([...w.argv, '--env', 'production'], { fetch, stdin: 'yes\n', stdinTTY: true });
      expect(r.code).toBe(0);
      expect(r.stderr).toContain("Are you sure you want to deploy to PRODUCTION? (type 'yes' to confirm)");
      expect(calls.filter(isWrite).map((c) => c.headers.get('x-rollgate-confirm'))).toEqual(['production']);
    });
  }

  for (const action of ['rollback', 'pause'] as const) {
    it(`${action} never asks, not even without a terminal, and sends no confirmation`, async () => {
      const { fetch, calls } = protectedApi();
      const r = await runCli([action, 'new-checkout', '--env', 'production', '--reason', 'errors'], { fetch, stdinTTY: false });
      expect({ stderr: r.stderr, code: r.code }).toEqual({ stderr: '', code: 0 });
      const writes = calls.filter(isWrite);
      expect(writes).toHaveLength(1);
      expect(writes[0]!.headers.get('x-rollgate-confirm')).toBeNull();
      // Nothing about protection was looked up: the action goes out at once.
      expect(calls.some((c) => c.url.pathname === `${PROD}/flags`)).toBe(false);
    });

    it(`${action} answered 428 (an older Worker) fails without a question`, async () => {
      const { fetch } = fakeFetch((req) =>
        req.method === 'GET'
          ? { json: { rollouts: [rolloutView()] } }
          : { status: 428, json: { error: '"production" is protected: repeat the request with the header X-Rollgate-Confirm: production' } },
      );
      const r = await runCli([action, 'new-checkout', '--env', 'production', '--reason', 'errors'], { fetch, stdin: 'yes\n', stdinTTY: true });
      expect(r.code).toBe(1);
      expect(r.stderr).not.toContain('Are you sure');
      expect(r.stderr).toContain('X-Rollgate-Confirm: production');
    });
  }
});
