import { environmentOf } from '../core/config/environments';
import { metricsSourceOf } from '../core/config/metrics-source-rules';
import { resolveFlag } from '../core/config/resolve-environment';
import type { RolloutSignals } from '../core/health/judge';
import { ownValue } from '../core/json';
import { MINUTE_MS, minuteStart } from '../core/metrics/minutes';
import type { Rollout } from '../core/schema/rollout';
import { logEvent } from '../log';
import type { MetricsShard, SignalsQuery } from '../metrics/metrics-shard';
import { prometheusSignals } from '../metrics/prometheus-source';
import { type ProbeResult, runProbes } from './probes';
import type { CoordinatorState } from './state';

/** What a tick learned before committing: each rollout's signals and the probes' results. */
export interface Gathered {
  /** Signals per rollout id; a rollout whose shard did not answer has none (it holds, as with no data). */
  signals: Map<string, RolloutSignals>;
  probes: ProbeResult[];
  probeCounts: Map<string, number>;
  /** The highest consecutive-failure count among the probes, this tick included. */
  probeFailures: number;
  /** Rollouts whose signals could not be asked for, with why: their tick fails (held). */
  failures: Map<string, string>;
}

/**
 * Probes the environment's health checks and asks each active rollout's metrics shard for its
 * signals. Only reads: the tick judges and commits afterwards, each rollout against its own row.
 */
export async function gatherHealth(
  s: CoordinatorState,
  metrics: DurableObjectNamespace<MetricsShard>,
  fetcher: typeof fetch,
  now: number,
  secrets: string | undefined,
): Promise<Gathered> {
  const env = s.environment();
  const config = s.configs.latest()?.config;
  const source = metricsSourceOf(config, env);
  const checks = config ? (environmentOf(config, env)?.healthChecks ?? []) : [];
  const probes = checks.length > 0 ? await runProbes(checks, fetcher) : [];
  const probeCounts = s.probes.next(probes);
  const probeFailures = Math.max(0, ...probeCounts.values());
  const signals = new Map<string, RolloutSignals>();
  const failures = new Map<string, string>();
  await Promise.all(
    s.rollouts.active().map(async (r) => {
      const flag = ownValue(config?.flags, r.flag);
      let baseline: string | null;
      let targeted: boolean;
      try {
        const resolved = flag ? resolveFlag(flag, env) : null;
        baseline = r.baselineVariant ?? resolved?.defaultVariant ?? null;
        targeted = resolved?.targeting !== undefined && Object.keys(resolved.targeting).length > 0;
      } catch (err) {
        failures.set(r.id, `baseline lookup failed: ${(err as Error)?.message ?? String(err)}`);
        return;
      }
      try {
        const query: SignalsQuery = {
          treatment: r.variant,
          // At 100 % nobody is served the baseline: there is nothing to compare with.
          baseline: r.percent < 100 ? baseline : null,
          now,
          minutes: r.plan.health.sustainedMinutes,
          since: r.startedAt,
          bakeFrom: r.bakeStartedAt,
          pairsFrom: pairsFrom(r),
        };
        const got =
          source.source === 'prometheus'
            ? await prometheusSignals(source, { ...query, flag: r.flag }, { fetcher, secrets })
            : await metrics.getByName(`${env}/${r.flag}`).signals(query);
        signals.set(r.id, targeted ? { ...got, sampleRatioApplies: false } : got);
      } catch (err) {
        // One unreachable shard or metrics server must not stop the other rollouts' checks: this one holds, as with no data.
        logEvent({ event: 'metrics_unavailable', environment: env, rollout: r.id, source: source.source, message: (err as Error).message });
      }
    }),
  );
  return { signals, probes, probeCounts, probeFailures, failures };
}

/** The first minute the rollout's guards need: the oldest still open to late reports, or the next one, or the start's. */
function pairsFrom(r: Rollout): number {
  const g = r.guards;
  if (!g || g.through === null) return minuteStart(r.startedAt);
  return Math.min(g.recent[0]?.minute ?? Number.POSITIVE_INFINITY, g.through + MINUTE_MS);
}
