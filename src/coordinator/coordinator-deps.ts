import { type Gathered, gatherHealth } from './gather-health';
import { gatheredJudge } from './judges';
import type { Judge } from './rollout-tick';
import type { CoordinatorState } from './state';

/** How a tick judges each rollout, and what it gathered to do so (null when the verdicts came whole). */
export interface Assessment {
  judge: Judge;
  gathered: Gathered | null;
}

/**
 * What the coordinator reaches outside its SQLite for, built from env by coordinatorDeps. The
 * object reads these on every use, so a test replaces one through runInDurableObject
 * (test/helpers/coordinator-deps.ts); a new instance (after an eviction) starts from env again.
 */
export interface CoordinatorDeps {
  /** Where snapshots are published. */
  publishTarget: Pick<KVNamespace, 'put'>;
  /** How health-check probes and a Prometheus metrics source are fetched. */
  probeFetch: typeof fetch;
  /** How notification deliveries are sent. */
  webhookFetch: typeof fetch;
  /** How a tick at `now` learns each active rollout's health. */
  assess: (s: CoordinatorState, now: number) => Promise<Assessment>;
}

/** The production dependencies: KV, the global fetch, and the metrics shards or Prometheus for health. */
export function coordinatorDeps(env: Env): CoordinatorDeps {
  const deps: CoordinatorDeps = {
    publishTarget: env.FLAGS,
    probeFetch: fetch,
    webhookFetch: fetch,
    async assess(s, now) {
      const gathered = await gatherHealth(s, env.METRICS, deps.probeFetch, now, env.METRICS_SOURCE_SECRETS);
      return { judge: gatheredJudge(gathered, now), gathered };
    },
  };
  return deps;
}
