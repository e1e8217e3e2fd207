import { logEvent } from '../log';
import { SYSTEM_ACTOR } from './actors';
import type { RepairFinding } from './kv-check';
import type { CoordinatorState } from './state';

/** Logs and audits a repair of KV's snapshot: what was found there, and the version written over it. */
export function recordRepair(s: CoordinatorState, found: RepairFinding, version: number, now: number): void {
  logEvent({
    event: 'snapshot_repaired',
    environment: s.environment(),
    kind: found.kind,
    reason: found.reason,
    foundVersion: found.version,
    repairVersion: version,
  });
  s.audit.append(now, {
    actor: SYSTEM_ACTOR,
    action: 'snapshot.repaired',
    target: `snapshot v${version}`,
    flags: [],
    reason: found.reason,
    diff: { found, version },
  });
}
