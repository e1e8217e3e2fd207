// Shared by the rollout tests only; nothing in production imports it.
import type { HealthInput, HealthNumbers, Rollout, StartRollout, Trigger } from '../../src/core/schema/rollout';
import { planFor } from '../../src/core/rollout/plan';
import { startRollout } from '../../src/core/rollout/start';

/** A fixed, readable start instant: Monday 2026-01-05 09:00 UTC. */
export const T0 = Date.UTC(2026, 0, 5, 9, 0, 0);
export const HOUR_MS = 3_600_000;

/** The instant `hours` after T0. */
export const at = (hours: number): number => T0 + hours * HOUR_MS;

export const healthy = (samples = 500): HealthInput => ({ window: { kind: 'healthy', numbers: { samples, errorRate: 0.0004, p95Ms: 120, p99Ms: 300 } } });

export const insufficient = (samples: number, required = 100): HealthInput => ({ window: { kind: 'insufficient-data', samples, required } });

export const breached = (trigger: Trigger, numbers: HealthNumbers): HealthInput => ({ window: { kind: 'breached', trigger, numbers } });

/** A rollout started at T0 (or `now`) from a start request; throws if the request is refused. */
export function started(input: Partial<StartRollout> = {}, now = T0): Rollout {
  const request: StartRollout = { flag: 'new-checkout', variant: 'on', baselineVariant: 'off', strategy: 'safe', ...input };
  const result = planFor(request);
  if (!result.ok) throw new Error(`refused: ${JSON.stringify(result.errors)}`);
  return startRollout('ro_1', request, result.plan, now);
}
