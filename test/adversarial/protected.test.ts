/**
 * Issue 9 §5: in a protected environment every write except the safety actions needs
 * `X-Rollgate-Confirm: <env>`. Without it the answer is 428 naming the header and the environment,
 * and nothing is committed: no rollout, no key, no audit entry, no snapshot change.
 */
import { runInDurableObject } from 'cloudflare:test';
import { env } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import type { RolloutCoordinator } from '../../src/coordinator/rollout-coordinator';
import type { RollgateConfig } from '../../src/core/schema/config';
import { snapshotKey } from '../../src/store/keys';
import { TOKENS } from '../helpers/admin';
import { adminKit, json, type Json } from '../helpers/admin-kit';
import { configWith, runPublishAlarm, validConfig } from '../helpers/coordinator';

const PROD = '/environments/production';
const CONFIRM = { 'x-rollgate-confirm': 'production' };
/** Headers that do not confirm production: absent, another environment, wrong case, padded, empty. */
const NOT_CONFIRMING: Record<string, string>[] = [
  {},
  { 'x-rollgate-confirm': 'staging' },
  { 'x-rollgate-confirm': 'Production' },
  { 'x-rollgate-confirm': 'production,production' },
  { 'x-rollgate-confirm': '' },
];

const kit = adminKit();
const { admin } = kit;

/** An operator request, a second after the previous one. */
function send(method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<Response> {
  kit.clock.advance(1000);
  return admin(method, path, { body, headers });
}

/** Everything a refused write must leave as it was, including what a pending publish would write. */
async function stateOf(environment: string): Promise<Json> {
  await runPublishAlarm(environment, kit.clock);
  const viewer = { token: TOKENS.viewer };
  const summary = (await json(await admin('GET', '/environments', viewer)))['environments'].find((e: Json) => e['environment'] === environment);
  const keys = await runInDurableObject(env.COORDINATOR.getByName(environment), (_: RolloutCoordinator, state: DurableObjectState) =>
    state.storage.sql.exec('SELECT name, sha256, created_at FROM client_keys ORDER BY name').toArray(),
  );
  return {
    summary,
    config: await json(await admin('GET', `/environments/${environment}/flags`, viewer)),
    rollouts: await json(await admin('GET', `/environments/${environment}/rollouts`, viewer)),
    audit: await json(await admin('GET', `/environments/${environment}/audit?limit=500`, viewer)),
    keys,
    kv: await env.FLAGS.get(snapshotKey(environment)),
  };
}

/** Expects a 428 that names the header and the environment. */
async function expect428(res: Response, environment = 'production'): Promise<void> {
  expect(res.status).toBe(428);
  const body = await json(res);
  expect(body['error']).toContain(`X-Rollgate-Confirm: ${environment}`);
  expect(body['error']).toContain(`"${environment}"`);
}

/** The admin plane still answers. */
async function expectAdminAnswers(): Promise<void> {
  expect((await admin('GET', '/environments', { token: TOKENS.viewer })).status).toBe(200);
}

/** Production with `config` (confirmed) and a client key "web". */
async function prepareProduction(config: RollgateConfig = validConfig()): Promise<void> {
  expect((await admin('PUT', `${PROD}/flags`, { token: TOKENS.editor, body: config, headers: CONFIRM })).status).toBe(200);
  expect((await send('POST', `${PROD}/keys`, { name: 'web' }, CONFIRM)).status).toBe(201);
}

const START = { flag: 'new-checkout', variant: 'on', strategy: 'safe', reason: 'launch' };

/** Starts the safe rollout of new-checkout in production, confirmed; returns its id. */
async function startConfirmed(): Promise<string> {
  const res = await send('POST', `${PROD}/rollouts`, START, CONFIRM);
  expect(res.status).toBe(201);
  return (await json(res))['id'] as string;
}

describe('rollout start in a protected environment without confirmation', () => {
  it('answers 428 and starts nothing; confirmed, it starts', async () => {
    await prepareProduction();
    const before = await stateOf('production');
    for (const headers of NOT_CONFIRMING) await expect428(await send('POST', `${PROD}/rollouts`, START, headers));
    // An invalid body is refused for want of confirmation too: the check comes first.
    await expect428(await send('POST', `${PROD}/rollouts`, { flag: 'nope' }));
    expect(await stateOf('production')).toEqual(before);
    await expectAdminAnswers();

    const id = await startConfirmed();
    const after = await stateOf('production');
    expect(after['rollouts']['rollouts']).toEqual([expect.objectContaining({ id, status: 'running', percent: 5 })]);
    expect(after['audit']['entries'][0]).toMatchObject({ action: 'rollout.start', target: id });
  });
});

describe('promote in a protected environment without confirmation', () => {
  it('answers 428 and leaves the stage; confirmed, it promotes', async () => {
    await prepareProduction();
    const id = await startConfirmed();
    const before = await stateOf('production');
    for (const headers of NOT_CONFIRMING) await expect428(await send('POST', `${PROD}/rollouts/${id}/promote`, { reason: 'early', fromStage: 0 }, headers));
    expect(await stateOf('production')).toEqual(before);
    await expectAdminAnswers();

    const promoted = await send('POST', `${PROD}/rollouts/${id}/promote`, { reason: 'early', fromStage: 0 }, CONFIRM);
    expect(promoted.status).toBe(200);
    expect(await json(promoted)).toMatchObject({ percent: 10, stageIndex: 1, changed: true });
  });
});

describe('resume in a protected environment without confirmation', () => {
  it('answers 428 and stays paused; pause itself needs no confirmation; confirmed, it resumes', async () => {
    await prepareProduction();
    const id = await startConfirmed();
    const paused = await send('POST', `${PROD}/rollouts/${id}/pause`, { reason: 'checking' });
    expect(paused.status).toBe(200);
    expect(await json(paused)).toMatchObject({ status: 'paused', changed: true });
    const before = await stateOf('production');
    for (const headers of NOT_CONFIRMING) await expect428(await send('POST', `${PROD}/rollouts/${id}/resume`, { reason: 'fine' }, headers));
    expect(await stateOf('production')).toEqual(before);
    await expectAdminAnswers();

    const resumed = await send('POST', `${PROD}/rollouts/${id}/resume`, { reason: 'fine' }, CONFIRM);
    expect(resumed.status).toBe(200);
    expect(await json(resumed)).toMatchObject({ status: 'running', changed: true });
  });
});

describe('key issue in a protected environment without confirmation', () => {
  it('answers 428 and stores no key, also for an import and before any config; confirmed, it issues', async () => {
    // No config yet: production is protected by default.
    const empty = await stateOf('production');
    await expect428(await send('POST', `${PROD}/keys`, { name: 'early' }));
    expect(await stateOf('production')).toEqual(empty);

    await prepareProduction();
    const before = await stateOf('production');
    for (const headers of NOT_CONFIRMING) {
      await expect428(await send('POST', `${PROD}/keys`, { name: 'mobile' }, headers));
      await expect428(await send('POST', `${PROD}/keys`, { name: 'imported', secret: 'an-imported-secret-0123456789' }, headers));
    }
    expect(await stateOf('production')).toEqual(before);
    await expectAdminAnswers();

    const issued = await send('POST', `${PROD}/keys`, { name: 'mobile' }, CONFIRM);
    expect(issued.status).toBe(201);
    expect((await stateOf('production'))['keys'].map((k: Json) => k['name'])).toEqual(['mobile', 'web']);
  });
});

describe('key revoke in a protected environment without confirmation', () => {
  it('answers 428 and the key keeps working; confirmed, it is revoked', async () => {
    await prepareProduction();
    const before = await stateOf('production');
    for (const headers of NOT_CONFIRMING) await expect428(await send('DELETE', `${PROD}/keys/web`, undefined, headers));
    expect(await stateOf('production')).toEqual(before);
    await expectAdminAnswers();

    const revoked = await send('DELETE', `${PROD}/keys/web`, undefined, CONFIRM);
    expect(revoked.status).toBe(200);
    expect((await stateOf('production'))['keys']).toEqual([]);
  });
});

describe('rollback and pause stay one call in a protected environment', () => {
  it('pause and rollback need no confirmation, and a wrong header does not stop them', async () => {
    await prepareProduction();
    const id = await startConfirmed();
    const paused = await send('POST', `${PROD}/rollouts/${id}/pause`, { reason: 'looks odd' }, { 'x-rollgate-confirm': 'staging' });
    expect(paused.status).toBe(200);
    expect(await json(paused)).toMatchObject({ status: 'paused', changed: true });
    const rolledBack = await send('POST', `${PROD}/rollouts/${id}/rollback`, { reason: 'errors' });
    expect(rolledBack.status).toBe(200);
    expect(await json(rolledBack)).toMatchObject({ status: 'rolled_back', percent: 0, changed: true });
    const audit = (await stateOf('production'))['audit']['entries'].map((e: Json) => e['action']);
    expect(audit.slice(0, 2)).toEqual(['rollout.rollback', 'rollout.pause']);
  });
});

describe('an unprotected environment needs no confirmation', () => {
  it('staging: start, promote, pause, resume, rollback, key issue and revoke without the header', async () => {
    const STAGING = '/environments/staging';
    expect((await admin('PUT', `${STAGING}/flags`, { token: TOKENS.editor, body: validConfig() })).status).toBe(200);
    expect((await send('POST', `${STAGING}/keys`, { name: 'web' })).status).toBe(201);
    const started = await send('POST', `${STAGING}/rollouts`, START);
    expect(started.status).toBe(201);
    const id = (await json(started))['id'] as string;
    for (const [action, body] of [
      ['promote', { reason: 'r', fromStage: 0 }],
      ['pause', { reason: 'r' }],
      ['resume', { reason: 'r' }],
      ['rollback', { reason: 'r' }],
    ] as const) {
      const res = await send('POST', `${STAGING}/rollouts/${id}/${action}`, body);
      expect({ action, status: res.status }).toEqual({ action, status: 200 });
    }
    expect((await send('DELETE', `${STAGING}/keys/web`)).status).toBe(200);
  });

  it('follows the latest config: production marked unprotected needs no header; staging marked protected does', async () => {
    const relaxed = configWith((c) => (c.environments = ['development', { name: 'staging', protected: true }, { name: 'production', protected: false }]));
    // The write that turns protection off is itself confirmed (production was protected by default).
    expect((await admin('PUT', `${PROD}/flags`, { token: TOKENS.editor, body: relaxed, headers: CONFIRM })).status).toBe(200);
    expect((await send('POST', `${PROD}/keys`, { name: 'web' })).status).toBe(201);
    expect((await send('POST', `${PROD}/rollouts`, START)).status).toBe(201);

    expect(
      (await admin('PUT', '/environments/staging/flags', { token: TOKENS.editor, body: relaxed, headers: { 'x-rollgate-confirm': 'staging' } })).status,
    ).toBe(200);
    const before = await stateOf('staging');
    await expect428(await send('POST', '/environments/staging/rollouts', START), 'staging');
    await expect428(await send('POST', '/environments/staging/keys', { name: 'web' }), 'staging');
    expect(await stateOf('staging')).toEqual(before);
    expect((await send('POST', '/environments/staging/rollouts', START, { 'x-rollgate-confirm': 'staging' })).status).toBe(201);
  });
});

describe('config writes the server itself asks confirmation for', () => {
  const staffBanner = () => configWith((c) => (c.flags['banner']!.defaultVariant = 'staff'));

  it('revert in production: 428 for every header that does not confirm, nothing reverted; confirmed, a new version', async () => {
    await prepareProduction();
    expect((await send('PUT', `${PROD}/flags`, staffBanner(), CONFIRM)).status).toBe(200);
    const before = await stateOf('production');
    for (const headers of NOT_CONFIRMING) {
      await expect428(await send('POST', `${PROD}/flags/revert`, { version: 1, reason: 'bad banner' }, headers));
      expect(await stateOf('production')).toEqual(before);
    }
    const reverted = await send('POST', `${PROD}/flags/revert`, { version: 1, reason: 'bad banner' }, CONFIRM);
    expect(reverted.status, await reverted.clone().text()).toBe(200);
    const current = await json(await admin('GET', `${PROD}/flags`, { token: TOKENS.viewer }));
    expect(current['version']).toBe(3);
    expect(current['document']).toEqual(validConfig());
  });

  it('a custom protected environment (staging marked protected): a config push and a revert need its own name in the header', async () => {
    const STAGING = '/environments/staging';
    const guarded = configWith((c) => (c.environments = ['development', { name: 'staging', protected: true }, { name: 'production', protected: true }]));
    // The push that protects staging is itself a write to a protected environment (by the config it brings).
    await expect428(await send('PUT', `${STAGING}/flags`, guarded), 'staging');
    expect((await send('PUT', `${STAGING}/flags`, guarded, { 'x-rollgate-confirm': 'staging' })).status).toBe(200);
    const next = structuredClone(guarded);
    next.flags['banner']!.defaultVariant = 'staff';
    const before = await stateOf('staging');
    for (const headers of [{}, CONFIRM]) {
      await expect428(await send('PUT', `${STAGING}/flags`, next, headers), 'staging');
      await expect428(await send('POST', `${STAGING}/flags/revert`, { version: 1, reason: 'r' }, headers), 'staging');
      expect(await stateOf('staging')).toEqual(before);
    }
    expect((await send('PUT', `${STAGING}/flags`, next, { 'x-rollgate-confirm': 'staging' })).status).toBe(200);
    expect((await send('POST', `${STAGING}/flags/revert`, { version: 1, reason: 'r' }, { 'x-rollgate-confirm': 'staging' })).status).toBe(200);
  });

  it("a config that removes production's protection is itself a protected write: unconfirmed, 428 and production stays protected", async () => {
    await prepareProduction();
    const relaxed = configWith((c) => (c.environments = ['development', 'staging', { name: 'production', protected: false }]));
    const before = await stateOf('production');
    for (const headers of NOT_CONFIRMING) {
      await expect428(await send('PUT', `${PROD}/flags`, relaxed, headers));
      expect(await stateOf('production')).toEqual(before);
    }
    // Still protected: an unconfirmed key issue is refused too.
    await expect428(await send('POST', `${PROD}/keys`, { name: 'other' }));
    expect((await send('PUT', `${PROD}/flags`, relaxed, CONFIRM)).status).toBe(200);
    expect((await send('POST', `${PROD}/keys`, { name: 'other' })).status).toBe(201);
  });
});
