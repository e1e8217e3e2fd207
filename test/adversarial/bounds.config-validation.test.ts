/**
 * Issue 9 §2 for config and rollout bodies through the admin API: JSON nested deeper than 64
 * levels is a 422 naming the first too-deep value (validate, PUT and rollout start) and commits
 * nothing; validate reports bad fractional buckets (unknown variants, weights out of range) and
 * health checks that do not call a public http(s) host at their pointers.
 */
import { describe, expect, it } from 'vitest';
import type { RollgateConfig } from '../../src/core/schema/config';
import { admin } from '../helpers/admin';
import { json } from '../helpers/admin-kit';
import { boundsEachTest } from '../helpers/bounds-kit';
import { configWith } from '../helpers/coordinator';
import { ENV, expectStatus, FLAG, type Sim } from '../helpers/health-sim';

let sim: Sim;
const { rollouts, configVersion, stillWorking } = boundsEachTest((s) => (sim = s));

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
