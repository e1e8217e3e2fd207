import { reset, runInDurableObject } from 'cloudflare:test';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { RolloutCoordinator } from '../src/coordinator/rollout-coordinator';
import { TestClock } from './helpers/clock';
import { configWith, coordinatorOf, kvSnapshot, publishedConfigAndKey } from './helpers/coordinator';
import { keyOf } from './helpers/fixture';
import { Harness } from './helpers/harness';

const ENV = 'staging';
const BULK = '/ofrep/v1/evaluate/flags';
let h: Harness;
let clock: TestClock;

beforeEach(() => {
  h = new Harness();
  clock = new TestClock(h);
});
afterEach(async () => {
  clock.restore();
  await reset();
});

async function flagSetVersion(): Promise<number> {
  const res = await h.evaluate(BULK, { context: { targetingKey: 'u' } }, keyOf(ENV));
  expect(res.status).toBe(200);
  return (await res.json<{ metadata: { flagSetVersion: number } }>()).metadata.flagSetVersion;
}

describe('fast version check (docs/propagation.md §A)', () => {
  it('an isolate serves the coordinator’s new version about a second after the commit while KV still holds the old one, with no KV read or coordinator call per request', async () => {
    await publishedConfigAndKey(ENV, clock);
    expect(await flagSetVersion()).toBe(2);

    // KV stops receiving writes: the next publish is what a 60 s KV lag looks like from the edge.
    const { stub, api } = coordinatorOf(ENV);
    await runInDurableObject(stub, (instance: RolloutCoordinator) => {
      instance.deps.publishTarget = { put: async () => undefined };
    });
    clock.advance(1000);
    const put = await api.putConfig(
      { document: configWith((c) => (c.flags['banner']!.defaultVariant = 'staff')), ifMatch: null, actor: 'tester', reason: null, confirmed: false },
      clock.now,
    );
    expect(put.ok).toBe(true);
    expect((await kvSnapshot(ENV))!.$rollgate.version).toBe(2);
    expect(await stub.latestSnapshot(2)).toMatchObject({ version: 3, text: expect.stringContaining('"version":3') });
    expect(await stub.latestSnapshot(3)).toEqual({ version: 3, text: null });

    // The first request after the check is due is answered from memory and starts the check after it.
    clock.advance(1000);
    const readsBefore = h.kv.reads;
    expect(await flagSetVersion()).toBe(2);
    expect(await flagSetVersion()).toBe(3);
    expect(h.kv.reads).toBe(readsBefore);
  });

  it('FAST_CHECK_MS=0 keeps today’s behaviour: the isolate waits for KV', async () => {
    h.vars = { FAST_CHECK_MS: '0' };
    await publishedConfigAndKey(ENV, clock);
    expect(await flagSetVersion()).toBe(2);
    const { stub, api } = coordinatorOf(ENV);
    await runInDurableObject(stub, (instance: RolloutCoordinator) => {
      instance.deps.publishTarget = { put: async () => undefined };
    });
    clock.advance(1000);
    await api.putConfig(
      { document: configWith((c) => (c.flags['banner']!.defaultVariant = 'staff')), ifMatch: null, actor: 'tester', reason: null, confirmed: false },
      clock.now,
    );
    clock.advance(10_000);
    expect(await flagSetVersion()).toBe(2);
  });
});
