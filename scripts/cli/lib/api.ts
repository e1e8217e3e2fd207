/**
 * The admin API's answers as the CLI reads them. Types come from the Worker's own code where it
 * declares them; fields the CLI treats as optional may be absent on older Workers.
 */
import type { AuditEntry, AuditPage } from '../../../src/coordinator/audit-log';
import type { ConfigWriteResult } from '../../../src/coordinator/config-ops';
import type { DeliveryView } from '../../../src/coordinator/notification-outbox';
import type { RolloutView, StoredRolloutView } from '../../../src/coordinator/rollout-ops';
import type { EnvironmentSummary } from '../../../src/coordinator/rollout-coordinator';
import type { ConfigChange } from '../../../src/core/config/diff';
import type { RollgateConfig } from '../../../src/core/schema/config';
import type { Stage } from '../../../src/core/schema/rollout';

export type { AuditEntry, AuditPage, ConfigChange, ConfigWriteResult, DeliveryView, RolloutView, Stage, StoredRolloutView };

/** GET /admin/v1/environments/{env}/notifications. */
export interface NotificationsResponse {
  deliveries: DeliveryView[];
}

/** Probe counters of an environment, when the Worker reports them (health monitoring). */
export interface ProbeStatus {
  name?: string;
  url?: string;
  consecutiveFailures?: number;
  lastStatus?: number | string | null;
  lastCheckedAt?: string | number | null;
  lastError?: string | null;
  [key: string]: unknown;
}

/** GET /admin/v1/environments, one entry. `probes` appears once health checks exist. */
export type Summary = EnvironmentSummary & { probes?: ProbeStatus[] | Record<string, unknown> | null };

export interface SummaryResponse {
  environments: Summary[];
  /** Environments whose coordinator did not answer; the others are listed as usual. */
  unavailable?: Array<{ environment: string; error: string }>;
}

/** GET /admin/v1/environments/{env}/flags. */
export interface ConfigResponse {
  version: number;
  document: RollgateConfig;
  updatedAt: string;
  actor: string;
}

/** GET /health. */
/** A rollout the coordinator holds because its tick fails, as /health lists it. */
export interface TickFailureNote {
  rollout: string;
  flag: string;
  since: string;
}

export interface HealthResponse {
  /** 'ok' or 'degraded' today; a newer server may answer others. */
  status: string;
  kv?: { reachable: boolean };
  environments: Record<
    string,
    { version: number; source: string; publishedAt: string | null; ageSeconds: number | null; lastError?: string; heldRollouts?: number }
  >;
  [key: string]: unknown;
}

/** An operator action's answer. */
export type ActionResponse = RolloutView & { changed: boolean };
