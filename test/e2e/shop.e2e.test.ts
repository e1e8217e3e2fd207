/**
 * End to end with a real application: the example shop (examples/shop, Hono on Node, the sdk built
 * as published) evaluates new-checkout through the OpenFeature server SDK + OFREP provider, and its
 * Reporter posts health to a real local Rollgate (`wrangler dev`). Cron ticks go through the local
 * scheduled endpoint with `time=`; time is compressed with short custom stages, sustainedMinutes 1
 * and minSamples 20. A tick may be at most 2 minutes ahead of the coordinator's clock and never
 * older than the last one, and reports count from a rollout's start, so each load phase stays
 * inside one minute and the tick judging it comes just after that minute ends.
 *
 * - development: a healthy new checkout is promoted stage by stage, bakes, and completes;
 * - production: a new checkout failing half its requests is rolled back by the cron alone, and the
 *   shop's users then all get the old one;
 * - Rollgate's numbers for each variant (treatment and baseline) equal the load generator's counts.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN, editedConfig, type LocalWorker, startWorker } from './cli-support';
import { buildSdk, type Counts, drained, load, minuteEnd, type Shop, sleep, startShop } from './shop-support';

interface Rollout {
  id: string;
  status: string;
  percent: number;
  stageIndex: number;
  startedAt: number;
  bakeStartedAt: number | null;
  lastDecision: string | null;
  lastVerdict: { kind: string; numbers?: { samples?: number; errorRate?: number; baseline?: { samples?: number; errorRate?: number } } } | null;
}

let w: LocalWorker;
let healthyShop: Shop;
let faultyShop: Shop;
let lastTick = 0;

beforeAll(async () => {
  buildSdk();
  w = await startWorker('shop');
  // development serves new-checkout "on" by default in the example config; here it starts "off", like production.
  const dev = editedConfig(w.config, (doc) => delete (doc.flags['new-checkout']!['environments'] as Record<string, unknown>)['development']);
  const put = await fetch(`${w.baseUrl}/admin/v1/environments/development/flags`, { method: 'PUT', headers: ADMIN, body: JSON.stringify(dev) });
  expect(put.status, await put.clone().text()).toBe(200);
  [healthyShop, faultyShop] = await Promise.all([startShop(w.baseUrl, 'development', 0), startShop(w.baseUrl, 'production', 0.5)]);
  await servedToAll(healthyShop, 'off', 'dev-warm');
  await servedToAll(faultyShop, 'off', 'prod-warm');
}, 150_000);

afterAll(async () => {
  healthyShop?.stop();
  faultyShop?.stop();
  await w?.stop();
});

async function startRollout(env: string, body: object): Promise<Rollout> {
  const res = await fetch(`${w.baseUrl}/admin/v1/environments/${env}/rollouts`, {
    method: 'POST',
    headers: { ...ADMIN, 'x-rollgate-confirm': env },
    body: JSON.stringify({ flag: 'new-checkout', variant: 'on', strategy: 'fast', reason: 'shop e2e', ...body }),
  });
  expect(res.status, await res.clone().text()).toBe(201);
  return await res.json<Rollout>();
}

async function rollout(env: string, id: string): Promise<Rollout> {
  return await (await fetch(`${w.baseUrl}/admin/v1/environments/${env}/rollouts/${id}`, { headers: ADMIN })).json<Rollout>();
}

/** Fires the cron at `time` (never before the last tick), once the coordinator's clock allows it. */
async function tick(time: number): Promise<void> {
  const at = Math.max(time, lastTick + 1000);
  await sleep(at - 110_000 - Date.now());
  const res = await fetch(`${w.baseUrl}/cdn-cgi/handler/scheduled?cron=*+*+*+*+*&time=${at}`);
  expect(res.status, await res.clone().text()).toBe(200);
  lastTick = at;
}

/** Waits until the shop serves the same variant to every one of 40 users, with no errors (the Worker refreshes its snapshot every 5 s). */
async function servedToAll(shop: Shop, variant: string, prefix: string): Promise<Counts> {
  const users = Array.from({ length: 40 }, (_, i) => `${prefix}-${i}`);
  const deadline = Date.now() + 20_000;
  for (;;) {
    const counts = await load(shop, users);
    if (counts[variant]?.requests === users.length && counts[variant].errors === 0) return counts;
    if (Date.now() > deadline) throw new Error(`not every user got ${variant}: ${JSON.stringify(counts)}`);
    await sleep(500);
  }
}

/** Sends checkouts until the shop serves both variants (the rollout is in the Worker's snapshot); returns all it saw. */
async function splitServed(shop: Shop, prefix: string): Promise<Counts> {
  const deadline = Date.now() + 20_000;
  let total: Counts = {};
  for (let round = 0; Date.now() < deadline; round++) {
    total = add(total, await load(shop, users(`${prefix}-${round}`, 20)));
    if (total['on'] && total['off']) return total;
    await sleep(250);
  }
  throw new Error(`the rollout was not served: ${JSON.stringify(total)}`);
}

function add(a: Counts, b: Counts): Counts {
  const out: Counts = structuredClone(a);
  for (const [variant, c] of Object.entries(b)) {
    const o = (out[variant] ??= { requests: 0, errors: 0 });
    o.requests += c.requests;
    o.errors += c.errors;
  }
  return out;
}

/** Leaves at least 25 s of the current minute for a load phase (so it stays in one minute). */
async function roomInMinute(): Promise<void> {
  if (Date.now() % 60_000 > 35_000) await sleep(minuteEnd(Date.now()) - Date.now() + 500);
}

function expectNumbers(r: Rollout, counts: Counts): void {
  const n = r.lastVerdict?.numbers;
  expect(n?.samples).toBe(counts['on']!.requests);
  expect(Math.round((n?.errorRate ?? 0) * n!.samples!)).toBe(counts['on']!.errors);
  expect(n?.baseline?.samples).toBe(counts['off']!.requests);
  expect(Math.round((n?.baseline?.errorRate ?? 0) * n!.baseline!.samples!)).toBe(counts['off']!.errors);
}

const users = (prefix: string, n: number) => Array.from({ length: n }, (_, i) => `${prefix}-${i}`);
const HEALTH = { minSamples: 20, sustainedMinutes: 1, maxP95Ms: 60_000, maxP99Ms: 60_000, bakeMaxP95Ms: 60_000 };

/**
 * Starts a rollout once the shop has sent everything from before (those reports must not count),
 * and returns after the start's second: a rollout counts reports from the next whole second on.
 */
async function startAfterDrain(shop: Shop, env: string, body: object): Promise<Rollout> {
  await drained(shop);
  await roomInMinute();
  const r = await startRollout(env, body);
  await sleep(Math.ceil((r.startedAt + 1) / 1000) * 1000 + 50 - Date.now());
  return r;
}

describe('the example shop drives rollouts through its reporter', () => {
  let healthyId = '';
  let bakeFrom = 0;
  let healthyStart = 0;
  let healthyWall = 0;
  const timeline: string[] = [];
  const secs = (ms: number) => (ms / 1000).toFixed(1);

  it('healthy new checkout: the first stage is judged on the shop reports (numbers equal to the load generator) and promoted', async () => {
    healthyWall = Date.now();
    const r = await startAfterDrain(healthyShop, 'development', {
      stages: [50, 100].map((percent, i) => ({ percent, afterSeconds: i })),
      bakeSeconds: 30,
      health: HEALTH,
    });
    healthyId = r.id;
    const counts = add(await splitServed(healthyShop, 'h-warm'), await load(healthyShop, users('h', 200)));
    await drained(healthyShop);
    expect(counts['on']!.requests).toBeGreaterThan(40);
    expect(counts['on']!.errors).toBe(0);
    await tick(minuteEnd(Date.now()) + 1000);
    const after = await rollout('development', r.id);
    expect(after, JSON.stringify(after)).toMatchObject({ status: 'running', percent: 100, stageIndex: 1, lastVerdict: { kind: 'healthy' } });
    expectNumbers(after, counts);
    bakeFrom = after.bakeStartedAt!;
    healthyStart = r.startedAt;
  }, 90_000);

  it('faulty new checkout: rolled back by the cron (numbers equal to the load generator), then every user gets the baseline', async () => {
    const wall = Date.now();
    const r = await startAfterDrain(faultyShop, 'production', {
      stages: [
        { percent: 50, afterSeconds: 0 },
        { percent: 100, afterSeconds: 600 },
      ],
      bakeSeconds: 600,
      health: HEALTH,
    });
    const counts = add(await splitServed(faultyShop, 'f-warm'), await load(faultyShop, users('f', 200)));
    await drained(faultyShop);
    expect(counts['on']!.errors).toBeGreaterThan(counts['on']!.requests / 4);
    expect(counts['off']!.errors).toBe(0);
    await tick(minuteEnd(Date.now()) + 1000);
    const after = await rollout('production', r.id);
    expect(after, JSON.stringify(after)).toMatchObject({ status: 'rolled_back', percent: 0, lastVerdict: { kind: 'breached' } });
    expectNumbers(after, counts);
    await servedToAll(faultyShop, 'off', 'f-after');
    timeline.push(
      `faulty: started → rolled back in ${secs(Date.now() - wall)} s wall clock (cron time +${secs(lastTick - r.startedAt)} s); ${JSON.stringify(counts)}`,
    );
  }, 90_000);

  it('healthy new checkout: the bake passes on the shop reports and the rollout completes; every user gets it', async () => {
    await sleep(bakeFrom + 1000 - Date.now()); // reports count for the bake from its start on
    await roomInMinute();
    const counts = await load(healthyShop, users('h2', 100));
    await drained(healthyShop);
    expect(counts).toEqual({ on: { requests: 100, errors: 0 } });
    await tick(Math.max(bakeFrom + 30_000, minuteEnd(Date.now())) + 1000);
    const after = await rollout('development', healthyId);
    expect(after, JSON.stringify(after)).toMatchObject({ status: 'completed', percent: 100 });
    await servedToAll(healthyShop, 'on', 'h-after');
    timeline.push(`healthy: started → completed in ${secs(Date.now() - healthyWall)} s wall clock (cron time +${secs(lastTick - healthyStart)} s)`);
    console.log(timeline.join('\n'));
  }, 120_000);
});
