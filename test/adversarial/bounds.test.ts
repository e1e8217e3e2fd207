/**
 * Issue 9 §2, "every number is finite and bounded where it enters": each attack answers a clear
 * 4xx, changes nothing, and leaves the admin plane, rollout start and the cron tick working.
 */
import { env } from 'cloudflare:workers';
import { beforeEach, describe, expect, it } from 'vitest';
import type { RollgateConfig } from '../../src/core/schema/config';
import { MAX_BIN, MAX_REPORT_COUNT } from '../../src/core/schema/metrics';
import { admin } from '../helpers/admin';
import { configWith } from '../helpers/coordinator';
import { keyOf } from '../helpers/fixture';
import { ENV, expectStatus, FLAG, MIN, type Report, type Sim } from '../helpers/health-sim';
import { simEachTest } from '../helpers/sim-kit';

let sim: Sim;
simEachTest((s) => (sim = s));
beforeEach(async () => {
  await sim.setup();
});

const NOTHING = { samples: 0, errors: 0, errorRate: null, p95Ms: null, p99Ms: null };
const stored = (variant: string, flag = FLAG) => env.METRICS.getByName(`${ENV}/${flag}`).window(variant, sim.clock.now - 30 * MIN, sim.clock.now + 30 * MIN);
const report = (r: Partial<Report> = {}): Report => ({
  flag: FLAG,
  variant: 'on',
  timestamp: sim.clock.now - MIN,
  count: 10,
  errors: 0,
  latencyMs: [12],
  ...r,
});

async function json(res: Response): Promise<any> {
  return res.json();
}

async function rollouts(): Promise<any[]> {
  return (await json(await expectStatus(admin(sim.h, 'GET', `/environments/${ENV}/rollouts`), 200))).rollouts;
}

async function configVersion(): Promise<number> {
  return (await json(await expectStatus(admin(sim.h, 'GET', `/environments/${ENV}/flags`), 200))).version;
}

/** The admin plane answers and a cron tick runs without throwing. */
async function stillWorking(): Promise<void> {
  await expectStatus(admin(sim.h, 'GET', '/environments'), 200);
  await expectStatus(admin(sim.h, 'GET', `/environments/${ENV}/rollouts`), 200);
  await sim.tick(sim.clock.now + MIN);
  await expectStatus(admin(sim.h, 'GET', '/environments'), 200);
}

describe('metrics: a sketch bin beyond one hour (the Infinity-sketch attack)', () => {
  it('answers 422 naming the report and the bin, stores nothing, and the environment keeps working', async () => {
    const started = await sim.start();
    const res = await sim.post([report(), report({ latencyMs: { bins: { '20000': 1 } } })]);
    expect(res.status).toBe(422);
    expect((await json(res)).errors).toEqual([{ index: 1, path: '/reports/1/latencyMs/bins/20000', message: expect.stringContaining(`above ${MAX_BIN}`) }]);
    expect(await stored('on')).toEqual(NOTHING);
    await stillWorking();
    expect((await sim.rollout(started.id)).lastVerdict).not.toBeNull();
    // Rollback still works, and another rollout can start afterwards.
    await expectStatus(admin(sim.h, 'POST', `/environments/${ENV}/rollouts/${started.id}/rollback`, { body: { reason: 'test' } }), 200);
    await sim.start();
  });

  it('keeps verdicts finite at the very top of the range: the slowest legal reports roll back, and rollouts still read', async () => {
    const started = await sim.start();
    const top = { count: MAX_REPORT_COUNT, errors: 0, latencyMs: { bins: { [MAX_BIN]: MAX_REPORT_COUNT } } };
    await sim.postMinutesBefore(sim.T0 + 6 * MIN, 5, () => top, null);
    await sim.tick(sim.T0 + 6 * MIN);
    const after = await sim.rollout(started.id);
    expect(after).toMatchObject({ status: 'rolled_back', lastVerdict: { kind: 'breached', trigger: 'p95' } });
    expect(Number.isFinite(after.lastVerdict!.kind === 'breached' ? after.lastVerdict!.numbers.p95Ms : NaN)).toBe(true);
    await stillWorking();
  });

  it('refuses counts over the bound and non-integer bin counts', async () => {
    const res = await sim.post([report({ count: MAX_REPORT_COUNT + 1 }), report({ count: 5, errors: 0, latencyMs: { bins: { '5': 0.5 } } })]);
    expect(res.status).toBe(422);
    expect((await json(res)).errors.map((e: any) => e.path)).toEqual(['/reports/0/count', '/reports/1/latencyMs/bins/5']);
    expect(await stored('on')).toEqual(NOTHING);
  });
});

describe('metrics: a report for a variant the flag does not have', () => {
  it('answers 422 at /variant and stores nothing from the batch', async () => {
    const res = await sim.post([report({ variant: 'off' }), report({ variant: 'maybe' }), report({ variant: 'toString' })]);
    expect(res.status).toBe(422);
    expect((await json(res)).errors.map((e: any) => e.path)).toEqual(['/reports/1/variant', '/reports/2/variant']);
    expect(await stored('off')).toEqual(NOTHING);
    expect(await stored('maybe')).toEqual(NOTHING);
    await stillWorking();
  });
});

describe('rollouts: durations of 9e12 seconds', () => {
  it('answers 422 with the path and commits nothing: no rollout, no audit entry, ticks go on', async () => {
    const auditBefore = await sim.audit();
    const bodies: Array<[Record<string, unknown>, string]> = [
      [
        {
          stages: [
            { percent: 50, afterSeconds: 0 },
            { percent: 100, afterSeconds: 9e12 },
          ],
        },
        '/stages/1/afterSeconds',
      ],
      [{ bakeSeconds: 9e12 }, '/bakeSeconds'],
      [{ bakeSeconds: 90 * 86_400 + 1 }, '/bakeSeconds'],
      [{ health: { maxP99Ms: 1e308 } }, '/health/maxP99Ms'],
      [{ health: { minSamples: 1e15 } }, '/health/minSamples'],
    ];
    for (const [extra, path] of bodies) {
      const res = await admin(sim.h, 'POST', `/environments/${ENV}/rollouts`, { body: { flag: FLAG, variant: 'on', strategy: 'safe', ...extra } });
      expect(res.status, JSON.stringify(extra)).toBe(422);
      expect(
        (await json(res)).errors.map((e: any) => e.path),
        JSON.stringify(extra),
      ).toEqual([path]);
    }
    expect(await rollouts()).toEqual([]);
    expect(await sim.audit()).toEqual(auditBefore);
    await stillWorking();
    // The longest legal plan starts, and its dates are valid.
    const longest = await sim.start({
      stages: [
        { percent: 1, afterSeconds: 0 },
        { percent: 100, afterSeconds: 90 * 86_400 },
      ],
      bakeSeconds: 90 * 86_400,
    });
    expect(Date.parse(longest.nextPromotionAt!)).toBe(longest.startedAt + 90 * 86_400_000);
    await stillWorking();
  });

  it('bounds the action body: fromStage and the reason', async () => {
    const started = await sim.start();
    for (const body of [{ reason: 'x', fromStage: 1e12 }, { reason: 'x'.repeat(1001) }]) {
      expect((await admin(sim.h, 'POST', `/environments/${ENV}/rollouts/${started.id}/promote`, { body })).status).toBe(422);
    }
    expect(await sim.rollout(started.id)).toMatchObject({ stageIndex: 0, status: 'running' });
  });
});

describe('names shared with Object.prototype', () => {
  const protoConfig = (): RollgateConfig =>
    configWith((c) => {
      c.flags['constructor'] = {
        state: 'ENABLED',
        variants: { toString: 'ts', valueOf: 'vo' },
        defaultVariant: 'toString',
        targeting: { if: [{ var: 'constructor' }, 'valueOf', null] },
      };
      c.flags['toString'] = { state: 'ENABLED', variants: { on: true, off: false }, defaultVariant: 'on' };
      c.flags['hasOwnProperty'] = { state: 'ENABLED', variants: { a: 1, b: 2 }, defaultVariant: 'b', targeting: { $ref: 'valueOf' } };
      c.$evaluators = { ...c.$evaluators, valueOf: { if: [{ '==': [{ var: 'plan' }, 'pro'] }, 'a', null] } };
    });

  async function evaluate(flag: string, context: Record<string, unknown>): Promise<any> {
    return json(await expectStatus(sim.h.evaluate(`/ofrep/v1/evaluate/flags/${flag}`, { context }, keyOf(ENV)), 200));
  }

  it('"constructor", "toString", "hasOwnProperty" work end to end: config, snapshot, OFREP, metrics', async () => {
    sim.at(sim.clock.now + 2000);
    // The dry run and the audit see three new flags, not changes to Object.prototype's members.
    const dry = await json(await expectStatus(admin(sim.h, 'POST', `/environments/${ENV}/flags/validate`, { body: protoConfig() }), 200));
    expect(dry.diff.filter((d: any) => !d.target.startsWith('/'))).toEqual(
      ['constructor', 'toString', 'hasOwnProperty'].map((target) => expect.objectContaining({ target, change: 'added' })),
    );
    await expectStatus(admin(sim.h, 'PUT', `/environments/${ENV}/flags`, { body: protoConfig() }), 200);
    const [put] = await sim.audit('config.put');
    expect(put!.diff.changes.filter((d: any) => !d.target.startsWith('/')).map((d: any) => d.change)).toEqual(['added', 'added', 'added']);
    sim.at(sim.clock.now + 10_000); // past the isolate's snapshot refresh
    expect(await evaluate('constructor', { targetingKey: 'u' })).toMatchObject({ key: 'constructor', variant: 'toString', value: 'ts' });
    expect(await evaluate('constructor', { targetingKey: 'u', constructor: 'yes' })).toMatchObject({
      variant: 'valueOf',
      value: 'vo',
      reason: 'TARGETING_MATCH',
    });
    expect(await evaluate('toString', {})).toMatchObject({ variant: 'on', value: true });
    expect(await evaluate('hasOwnProperty', { plan: 'pro' })).toMatchObject({ variant: 'a', value: 1 });
    expect((await sim.h.evaluate('/ofrep/v1/evaluate/flags/valueOf', { context: {} }, keyOf(ENV))).status).toBe(404);
    const bulk = await json(await expectStatus(sim.h.evaluate('/ofrep/v1/evaluate/flags', { context: {} }, keyOf(ENV)), 200));
    expect(bulk.flags.map((f: any) => f.key)).toEqual(expect.arrayContaining(['constructor', 'toString', 'hasOwnProperty']));

    const res = await sim.post([report({ flag: 'constructor', variant: 'valueOf' }), report({ flag: 'toString', variant: 'off' })]);
    expect(res.status, await res.clone().text()).toBe(202);
    expect(await stored('valueOf', 'constructor')).toMatchObject({ samples: 10 });
    await stillWorking();
  });

  it('a rollout of a flag named "toString" starts, and a rollout of an absent "valueOf" flag is a 422, not a 500', async () => {
    sim.at(sim.clock.now + 2000);
    await expectStatus(admin(sim.h, 'PUT', `/environments/${ENV}/flags`, { body: protoConfig() }), 200);
    const missing = await admin(sim.h, 'POST', `/environments/${ENV}/rollouts`, { body: { flag: 'valueOf', variant: 'on', strategy: 'safe' } });
    expect(missing.status).toBe(422);
    await expectStatus(admin(sim.h, 'POST', `/environments/${ENV}/rollouts`, { body: { flag: 'toString', variant: 'off', strategy: 'safe' } }), 201);
    await stillWorking();
  });

  it('"__proto__" as a flag, variant or evaluator name is a 422 with its pointer on validate and PUT, and changes nothing', async () => {
    const before = await configVersion();
    const base = JSON.stringify(protoConfig());
    const texts: Array<[string, string]> = [
      [base.replace('"flags":{', '"flags":{"__proto__":{"state":"ENABLED","variants":{"on":true},"defaultVariant":"on"},'), '/flags/__proto__'],
      [base.replace('"variants":{"toString":"ts"', '"variants":{"__proto__":"x","toString":"ts"'), '/flags/constructor/variants/__proto__'],
      [base.replace('"$evaluators":{', '"$evaluators":{"__proto__":{"var":"x"},'), '/$evaluators/__proto__'],
    ];
    for (const [text, path] of texts) {
      expect(text).toContain('__proto__');
      const validate = await json(await expectStatus(admin(sim.h, 'POST', `/environments/${ENV}/flags/validate`, { body: text }), 200));
      expect(validate).toMatchObject({ valid: false, errors: [{ path, message: expect.stringContaining('reserved') }] });
      const put = await admin(sim.h, 'PUT', `/environments/${ENV}/flags`, { body: text });
      expect(put.status).toBe(422);
      expect((await json(put)).errors).toEqual([{ path, message: expect.stringContaining('reserved') }]);
    }
    expect(await configVersion()).toBe(before);
    await stillWorking();
  });
});

describe('config nested too deep', () => {
  function deepText(levels: number): string {
    const config = JSON.stringify(
      configWith(
        (c) =>
          (c.flags['deep'] = { state: 'ENABLED', variants: { on: true, off: false }, defaultVariant: 'off', targeting: { if: [{ var: 'x' }, 'on', 'off'] } }),
      ),
    );
    return config.replace('{"if":[{"var":"x"}', '{"if":[' + '{"!":'.repeat(levels) + '{"var":"x"}' + '}'.repeat(levels));
  }

  it.each([1600, 150_000])('answers 422 with the pointer of the first too-deep value at %i levels, on validate and PUT', async (levels) => {
    const before = await configVersion();
    const text = deepText(levels);
    for (const [method, path] of [
      ['POST', `/environments/${ENV}/flags/validate`],
      ['PUT', `/environments/${ENV}/flags`],
    ] as const) {
      const res = await admin(sim.h, method, path, { body: text });
      expect(res.status, `${method} ${path}`).toBe(422);
      const { errors } = await json(res);
      expect(errors).toHaveLength(1);
      expect(errors[0].path).toMatch(/^\/flags\/deep\/targeting\/if\/0(\/!)+$/);
      expect(errors[0].message).toContain('64 levels');
    }
    expect(await configVersion()).toBe(before);
    await stillWorking();
  });

  it('refuses a rollout body nested too deep the same way', async () => {
    const body = `{"flag":"${FLAG}","variant":"on","strategy":"safe","reason":"x","health":` + '['.repeat(150_000) + ']'.repeat(150_000) + '}';
    const res = await admin(sim.h, 'POST', `/environments/${ENV}/rollouts`, { body });
    expect(res.status).toBe(422);
    expect(await rollouts()).toEqual([]);
  });
});

describe('validation of fractional and health-check URLs through the admin API', () => {
  async function validate(config: RollgateConfig): Promise<any> {
    return json(await expectStatus(admin(sim.h, 'POST', `/environments/${ENV}/flags/validate`, { body: config }), 200));
  }

  it('reports unknown bucket variants and bad weights at their pointers', async () => {
    const result = await validate(
      configWith(
        (c) =>
          (c.flags[FLAG]!.targeting = {
            fractional: [
              ['on', 50],
              ['onn', -1],
              ['off', 0.5],
              ['on', 2_147_483_648],
            ],
          }),
      ),
    );
    expect(result.valid).toBe(false);
    expect(result.errors.map((e: any) => e.path)).toEqual([
      `/flags/${FLAG}/targeting/fractional/1/0`,
      `/flags/${FLAG}/targeting/fractional/1/1`,
      `/flags/${FLAG}/targeting/fractional/2/1`,
      `/flags/${FLAG}/targeting/fractional/3/1`,
    ]);
  });

  it('reports health checks that do not call a public http(s) host', async () => {
    const urls = [
      'http://169.254.169.254/latest/meta-data/',
      'http://localhost:8787/health',
      'http://10.0.0.8/',
      'http://[fd00::1]/',
      'file:///etc/passwd',
      'https://a:b@example.com/',
    ];
    const result = await validate(
      configWith(
        (c) =>
          (c.environments = [
            'development',
            { name: 'staging', healthChecks: urls.map((url, i) => ({ name: `c${i}`, url })) },
            { name: 'production', protected: true },
          ]),
      ),
    );
    expect(result.valid).toBe(false);
    expect(result.errors.map((e: any) => e.path)).toEqual(urls.map((_, i) => `/environments/1/healthChecks/${i}/url`));
    const ok = await validate(
      configWith(
        (c) => (c.environments = ['development', { name: 'staging', healthChecks: [{ name: 'api', url: 'https://api.example.com/health' }] }, 'production']),
      ),
    );
    expect(ok).toMatchObject({ valid: true, errors: [] });
  });
});
