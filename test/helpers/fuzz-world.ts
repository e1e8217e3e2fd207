import { createScheduledController, reset, runInDurableObject } from 'cloudflare:test';
import { env } from 'cloudflare:workers';
import { afterEach, beforeEach, expect } from 'vitest';
import { scheduled } from '../../src/jobs/scheduled';
import { snapshotKey } from '../../src/store/keys';
import { admin, adminTokensVar } from './admin';
import { TestClock } from './clock';
import { validConfig } from './coordinator';
import { Harness } from './harness';
import { type HostileJson, hostileText } from './hostile-json';

export const MIN = 60_000;

/** Fuzz runs are seeded, so a failure names a run that can be replayed exactly. */
export const FUZZ_SEED = 20261128;

/**
 * A fuzz property runs hundreds of requests: seconds of work, more on a loaded machine (npm test
 * runs the files in parallel). vitest's default 5 s would fail a correct run by the clock alone.
 */
export const FUZZ_TIMEOUT_MS = 120_000;

/** A key holding both scopes, so the fuzz reaches the checks behind authentication. */
export const FUZZ_KEY = 'fuzz-key-0123456789abcdef';

/**
 * One Worker and its Durable Objects on one faked clock, with valid configs in staging and
 * production and FUZZ_KEY issued in both: the world each fuzz property attacks.
 */
export class FuzzWorld {
  readonly h = new Harness();
  readonly clock = new TestClock(this.h);

  /** Writes the valid config and the fuzz key to staging and production, a second apart so each publishes. */
  async setup(): Promise<void> {
    // The rate limiters count real seconds while the fuzz's clock races ahead: leave them out, so
    // every request reaches the checks the fuzz is about (their 429s have tests of their own).
    this.h.vars = { ADMIN_TOKENS: await adminTokensVar(), OFREP_RATE_LIMIT: undefined, METRICS_RATE_LIMIT: undefined };
    for (const environment of ['staging', 'production']) {
      const confirm = { 'x-rollgate-confirm': environment };
      this.clock.advance(1000);
      await expectOk(admin(this.h, 'PUT', `/environments/${environment}/flags`, { body: validConfig(), headers: confirm }));
      this.clock.advance(1000);
      await expectOk(
        admin(this.h, 'POST', `/environments/${environment}/keys`, {
          body: { name: 'fuzz', secret: FUZZ_KEY, scopes: ['evaluate', 'report'] },
          headers: confirm,
        }),
      );
    }
    this.clock.advance(10_000);
  }

  /** Sends a hostile body to a path with the fuzz key (or an admin token when `admin` is set). */
  send(method: string, path: string, body: HostileJson, headers: Record<string, string> = {}): Promise<Response> {
    return this.h.fetch(path, { method, headers: { 'content-type': 'application/json', ...headers }, body: hostileText(body) });
  }

  /**
   * Runs the cron at the current clock as Cloudflare would, then asks the environment's coordinator
   * directly for the same time: the cron logs a failed tick instead of throwing, the RPC throws.
   */
  async tick(environment: string): Promise<void> {
    await scheduled(createScheduledController({ scheduledTime: this.clock.now, cron: '* * * * *' }), env);
    const again = await env.COORDINATOR.getByName(environment).tick(this.clock.now);
    expect(again.duplicate).toBe(true);
  }

  /** The admin plane must answer: the environment list and an environment's rollouts. */
  async expectAdminAnswers(environment = 'staging'): Promise<void> {
    const list = await admin(this.h, 'GET', '/environments');
    expect(list.status, await list.clone().text()).toBe(200);
    const rollouts = await admin(this.h, 'GET', `/environments/${environment}/rollouts`);
    expect(rollouts.status, await rollouts.clone().text()).toBe(200);
  }

  /** What a refused request must leave unchanged in an environment: config, rollouts, audit, keys and KV. */
  async stateOf(environment: string): Promise<string> {
    const read = async (path: string) => {
      const res = await admin(this.h, 'GET', `/environments/${environment}${path}`);
      return `${res.status} ${await res.text()}`;
    };
    return [await read('/flags'), await read('/rollouts'), await read('/audit?limit=500'), await env.FLAGS.get(snapshotKey(environment))].join('\n');
  }
}

/** Every row of every table of a Durable Object's SQLite database, as text. */
export async function sqliteDump(stub: DurableObjectStub): Promise<string> {
  return runInDurableObject(stub, (_instance: unknown, state: DurableObjectState) => {
    const sql = state.storage.sql;
    const tables = sql
      .exec<{ name: string }>(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE '\\_cf%' ESCAPE '\\' AND name NOT LIKE 'sqlite%' ORDER BY name",
      )
      .toArray()
      .map((t) => t.name);
    return tables.map((t) => `${t}: ${JSON.stringify(sql.exec(`SELECT * FROM "${t}"`).toArray())}`).join('\n');
  });
}

/** Awaits a response and checks it is a 2xx, showing the body otherwise. */
export async function expectOk(res: Promise<Response>): Promise<Response> {
  const r = await res;
  expect(r.ok, `${r.status} ${await r.clone().text()}`).toBe(true);
  return r;
}

/** A new, set-up FuzzWorld for each test of the calling file (clock restored and storage reset after); returns its getter. */
export function freshWorldPerTest(): () => FuzzWorld {
  let world: FuzzWorld | undefined;
  beforeEach(async () => {
    world = new FuzzWorld();
    await world.setup();
  });
  afterEach(async () => {
    world?.clock.restore();
    await reset();
  });
  return () => world!;
}
