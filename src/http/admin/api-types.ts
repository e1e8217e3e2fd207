/**
 * The admin API's requests and answers: the one module the Worker's handlers and the CLI both
 * import. The CLI reads the API through these types only, never the coordinator's modules.
 */
import type { AuditEntry, AuditPage } from '../../coordinator/audit-log';
import type { ConfigWriteResult } from '../../coordinator/config-ops';
import type { DeliveryView } from '../../coordinator/notification-outbox';
import type { ProbeState } from '../../coordinator/probes';
import type { RolloutView, StoredRolloutView } from '../../coordinator/rollout-ops';
import type { EnvironmentSummary } from '../../coordinator/rollout-coordinator';
import type { ErrorCode } from '../../core/api/error-codes';
import type { ConfigChange } from '../../core/config/diff';
import type { RollgateConfig } from '../../core/schema/config';
import type { Stage } from '../../core/schema/rollout';

export type { AuditEntry, AuditPage, ConfigChange, ConfigWriteResult, DeliveryView, ErrorCode, ProbeState, RolloutView, Stage, StoredRolloutView };

/** Every admin and metrics error: a public message, a stable code, and details such as `errors`. */
export interface ErrorResponse {
  error: string;
  code: ErrorCode;
  errors?: { path?: string; message?: string }[];
  warnings?: { path?: string; message?: string }[];
  [detail: string]: unknown;
}

/** GET /environments, one entry: exactly what the coordinator's summary answers. */
export type Summary = EnvironmentSummary;

/** GET /environments. */
export interface SummaryResponse {
  environments: Summary[];
  /** Environments whose coordinator did not answer; the others are listed as usual. */
  unavailable?: Array<{ environment: string; error: string }>;
}

/** GET /environments/{env}/flags (the version is also the ETag). */
export interface ConfigResponse {
  version: number;
  document: RollgateConfig;
  updatedAt: string;
  actor: string;
}

/** GET /environments/{env}/rollouts. */
export interface RolloutsResponse {
  rollouts: StoredRolloutView[];
}

/** GET /environments/{env}/notifications. */
export interface NotificationsResponse {
  deliveries: DeliveryView[];
}

/** POST /environments/{env}/rollouts/{id}/{action}. */
export type ActionResponse = RolloutView & { changed: boolean };
