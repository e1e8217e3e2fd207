import type { HealthCheck } from '../core/schema/config';

/** The outcome of one probe. */
export interface ProbeResult {
  name: string;
  url: string;
  ok: boolean;
  status: number | null;
  error: string | null;
}

/** A probe's persisted state, as status shows it. */
export interface ProbeState {
  name: string;
  url: string;
  consecutiveFailures: number;
  lastStatus: number | null;
  lastError: string | null;
  lastCheckedAt: string;
}

const DEFAULT_TIMEOUT_MS = 5000;

/** Probes every check in parallel, each with its timeout; a check passes on its expected status (any 2xx by default). */
export async function runProbes(checks: readonly HealthCheck[], fetcher: typeof fetch): Promise<ProbeResult[]> {
  return Promise.all(
    checks.map(async (check): Promise<ProbeResult> => {
      try {
        const res = await fetcher(check.url, { method: 'GET', signal: AbortSignal.timeout(check.timeoutMs ?? DEFAULT_TIMEOUT_MS), redirect: 'manual' });
        await res.body?.cancel();
        const ok = check.expectStatus === undefined ? res.status >= 200 && res.status < 300 : res.status === check.expectStatus;
        return { name: check.name, url: check.url, ok, status: res.status, error: ok ? null : `status ${res.status}` };
      } catch (err) {
        const name = (err as Error).name;
        return { name: check.name, url: check.url, ok: false, status: null, error: name === 'TimeoutError' ? 'timed out' : (err as Error).message || name };
      }
    }),
  );
}

/** The probe_state table: consecutive failures per configured check. */
export class ProbeTable {
  constructor(private readonly sql: SqlStorage) {}

  /** Current counters by check name. */
  counts(): Map<string, number> {
    return new Map(
      this.sql
        .exec<{ name: string; consecutive_failures: number }>('SELECT name, consecutive_failures FROM probe_state')
        .toArray()
        .map((r) => [r.name, r.consecutive_failures]),
    );
  }

  /** The counters after `results`: a pass resets to 0, a failure adds 1. Checks no longer configured are dropped. */
  next(results: readonly ProbeResult[]): Map<string, number> {
    const current = this.counts();
    return new Map(results.map((r) => [r.name, r.ok ? 0 : (current.get(r.name) ?? 0) + 1]));
  }

  /** Persists the results; call inside the tick's transaction. */
  record(results: readonly ProbeResult[], counts: ReadonlyMap<string, number>, at: number): void {
    this.sql.exec(`DELETE FROM probe_state WHERE name NOT IN (${results.map(() => '?').join(',') || "''"})`, ...results.map((r) => r.name));
    for (const r of results) {
      this.sql.exec(
        'INSERT INTO probe_state (name, url, consecutive_failures, last_status, last_error, last_checked_at) VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT(name) DO UPDATE SET url = excluded.url, consecutive_failures = excluded.consecutive_failures, last_status = excluded.last_status, last_error = excluded.last_error, last_checked_at = excluded.last_checked_at',
        r.name,
        r.url,
        counts.get(r.name) ?? 0,
        r.status,
        r.error,
        at,
      );
    }
  }

  /** Every probe's state. */
  all(): ProbeState[] {
    return this.sql
      .exec<{ name: string; url: string; consecutive_failures: number; last_status: number | null; last_error: string | null; last_checked_at: number }>(
        'SELECT * FROM probe_state ORDER BY name',
      )
      .toArray()
      .map((r) => ({
        name: r.name,
        url: r.url,
        consecutiveFailures: r.consecutive_failures,
        lastStatus: r.last_status,
        lastError: r.last_error,
        lastCheckedAt: new Date(r.last_checked_at).toISOString(),
      }));
  }
}
