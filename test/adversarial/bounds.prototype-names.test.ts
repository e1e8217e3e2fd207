/**
 * Issue 9 §2, keys from outside never read through prototypes: flags, variants and evaluators
 * named "constructor", "toString", "hasOwnProperty" work end to end (config, snapshot, OFREP,
 * metrics, rollouts), an absent "valueOf" is a 404/422 and never a 500, and "__proto__" as a name
 * is a 422 with its pointer that changes nothing.
 */
import { describe, expect, it } from 'vitest';
import type { RollgateConfig } from '../../src/core/schema/config';
import { admin } from '../helpers/admin';
import { json } from '../helpers/admin-kit';
import { boundsEachTest } from '../helpers/bounds-kit';
import { configWith } from '../helpers/coordinator';
import { keyOf } from '../helpers/fixture';
import { ENV, expectStatus, type Sim } from '../helpers/health-sim';

let sim: Sim;
const { stored, report, configVersion, stillWorking } = boundsEachTest((s) => (sim = s));

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
