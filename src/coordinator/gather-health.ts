import { environmentsOf } from '../core/config/environments';
import { resolveFlag } from '../core/config/resolve-environment';
import { healthVerdict } from '../core/health/policy';
import { ownValue } from '../core/json';
import type { HealthInput } from '../core/schema/rollout';
import { logEvent } from '../http/log';
import type { MetricsShard, Signals } from '../metrics/metrics-shard';
import type { WindowStats } from '../core/metrics/window-stats';
import { type ProbeResult, runProbes } from './probes';

const EMPTY: WindowStats = { samples: 0, errors: 0, errorRate: null, p95Ms: null, p99Ms: null };
import type { CoordinatorState } from './state';

/** What a tick learned before committing: verdicts per rollout and the probes' results. */
export interface Gathered {
  health: Record<string, HealthInput>;
  probes: ProbeResult[];
  probeCounts: Map<string, number>;
  /** Rollouts whose verdict could not be formed, with why: their tick fails (held). */
  failures: Map<string, string>;
}

/**
 * Probes the environment's health checks and asks each active rollout's metrics shard for its
 * signals, then applies the health policy. Only reads: the tick commits the outcome afterwards.
 */
export async function gatherHealth(s: CoordinatorState, metrics: DurableObjectNamespace<MetricsShard>, fetcher: typeof fetch, now: number): Promise<Gathered> {
  const env = s.environment();
  const config = s.configs.latest()?.config;
  const checks = config ? (environmentsOf(config).find((e) => e.name === env)?.healthChecks ?? []) : [];
  const probes = checks.length > 0 ? await runProbes(checks, fetcher) : [];
  const probeCounts = s.probes.next(probes);
  const probeFailures = Math.max(0, ...probeCounts.values());
  const health: Record<string, HealthInput> = {};
  const failures = new Map<string, string>();
  await Promise.all(
    s.rollouts.active().map(async (r) => {
      const flag = ownValue(config?.flags, r.flag);
      let baseline: string | null;
      try {
        baseline = r.baselineVariant ?? (flag ? (resolveFlag(flag, env).defaultVariant ?? null) : null);
      } catch (err) {
        failures.set(r.id, `baseline lookup failed: ${(err as Error)?.message ?? String(err)}`);
        return;
      }
      let signals: Signals;
      try {
        signals = await metrics.getByName(`${env}/${r.flag}`).signals({
          treatment: r.variant,
          baseline,
          now,
          minutes: r.plan.health.sustainedMinutes,
          since: r.startedAt,
          bakeFrom: r.bakeStartedAt,
        });
      } catch (err) {
        // One unreachable shard must not stop the other rollouts' checks: this one holds, as with no data.
        logEvent({ event: 'metrics_unavailable', environment: env, rollout: r.id, message: (err as Error).message });
        signals = { minutes: [], window: EMPTY };
      }
      try {
        health[r.id] = healthVerdict({ ...signals, probeFailures }, r.plan.health);
      } catch (err) {
        failures.set(r.id, `health verdict failed: ${(err as Error)?.message ?? String(err)}`);
      }
    }),
  );
  return { health, probes, probeCounts, failures };
}
