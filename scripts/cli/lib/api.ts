/**
 * The API's answers as the CLI reads them: the admin API's come from the module the Worker's
 * handlers use (src/http/admin/api-types.ts); /health's is declared here.
 */
export type {
  ActionResponse,
  AuditEntry,
  AuditPage,
  ConfigChange,
  ConfigResponse,
  ConfigWriteResult,
  DeliveryView,
  ErrorResponse,
  NotificationsResponse,
  ProbeState,
  RolloutView,
  RolloutsResponse,
  Stage,
  StoredRolloutView,
  Summary,
  SummaryResponse,
} from '../../../src/http/admin/api-types';

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
