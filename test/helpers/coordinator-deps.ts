/**
 * Replacing a coordinator's outside dependencies (src/coordinator/coordinator-deps.ts) from a
 * test: tests set `instance.deps.<name>` inside runInDurableObject (KV to publish to, the
 * fetchers, how a tick learns health); the replacement lives on the instance, so an eviction drops
 * it (the new instance builds its own from env). tickGiven drives a tick with verdicts given whole.
 */
import { runInDurableObject } from 'cloudflare:test';
import { env } from 'cloudflare:workers';
import type { Assessment } from '../../src/coordinator/coordinator-deps';
import type { RolloutCoordinator, TickResult } from '../../src/coordinator/rollout-coordinator';
import type { Judge } from '../../src/coordinator/rollout-tick';
import { type HealthInput, type Rollout, zHealthInput } from '../../src/core/schema/rollout';

/**
 * Verdicts given whole, checked with the schema as outside data; the guards stay as they are. A
 * rollout they do not mention has no data, which is never a pass.
 */
export function givenJudge(health: Record<string, unknown>): Judge {
  // Rollout ids from outside: a null-prototype record, so "__proto__" is a key like any other.
  const inputs: Record<string, HealthInput> = Object.create(null) as Record<string, HealthInput>;
  for (const [id, h] of Object.entries(health)) {
    const parsed = zHealthInput.safeParse(h);
    if (parsed.success) inputs[id] = parsed.data;
  }
  return (r) => ({ health: inputs[r.id] ?? noData(r) });
}

function noData(r: Rollout): HealthInput {
  return { window: { kind: 'insufficient-data', samples: 0, required: r.plan.health.minSamples } };
}

/**
 * `environment`'s cron tick at `now` with the verdicts `health` instead of the gathered ones (no
 * probes, no shards). The replacement is in place only for this call: tick reads deps.assess
 * before its first await, so overlapping calls each get their own verdicts.
 */
export async function tickGiven(environment: string, now: number, health: Record<string, unknown>): Promise<TickResult> {
  return runInDurableObject(env.COORDINATOR.getByName(environment), (instance: RolloutCoordinator) => {
    const own = instance.deps.assess;
    const given: Assessment = { judge: givenJudge(health), gathered: null };
    instance.deps.assess = () => Promise.resolve(given);
    try {
      return instance.tick(now);
    } finally {
      instance.deps.assess = own;
    }
  });
}
