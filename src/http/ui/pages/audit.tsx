import type { AuditEntry } from '../../../coordinator/audit-log';
import { Layout, type Viewer, when } from '../layout';

export interface AuditFilter {
  flag: string;
  action: string;
  actor: string;
  since: string;
  until: string;
}

/** Audit entries with their diffs folded. */
export function AuditTable(props: { entries: AuditEntry[] }) {
  return (
    <table>
      <thead>
        <tr>
          <th scope="col">At</th>
          <th scope="col">Actor</th>
          <th scope="col">Action</th>
          <th scope="col">Target</th>
          <th scope="col">Reason</th>
          <th scope="col">Diff</th>
        </tr>
      </thead>
      <tbody>
        {props.entries.map((e) => (
          <tr>
            <td>{when(e.at)}</td>
            <td>{e.actor}</td>
            <td>{e.action}</td>
            <td>{e.target}</td>
            <td>{e.reason ?? ''}</td>
            <td>
              {e.diff === null || e.diff === undefined ? (
                ''
              ) : (
                <details>
                  <summary>diff</summary>
                  <pre>{JSON.stringify(e.diff, null, 2)}</pre>
                </details>
              )}
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

/**
 * The audit log, filtered by flag, action, actor and time (all by the coordinator, so a filter
 * finds entries beyond the first page), newest first, paged by cursor.
 */
export function AuditPage(props: { viewer: Viewer; environment: string; entries: AuditEntry[]; filter: AuditFilter; next: string | null }) {
  const f = props.filter;
  const base = `/ui/env/${encodeURIComponent(props.environment)}/audit`;
  const nextHref = props.next === null ? null : `${base}?${new URLSearchParams({ ...f, cursor: props.next }).toString()}`;
  return (
    <Layout title={`Audit · ${props.environment}`} viewer={props.viewer}>
      <form method="get" action={base} role="search">
        <label>
          Flag <input name="flag" value={f.flag} />
        </label>{' '}
        <label>
          Action <input name="action" value={f.action} />
        </label>{' '}
        <label>
          Actor <input name="actor" value={f.actor} />
        </label>{' '}
        <label>
          Since (UTC) <input name="since" type="datetime-local" value={f.since} />
        </label>{' '}
        <label>
          Until (UTC) <input name="until" type="datetime-local" value={f.until} />
        </label>{' '}
        <button type="submit">Filter</button>
      </form>
      <AuditTable entries={props.entries} />
      {nextHref ? <a href={nextHref}>Older entries</a> : <p class="muted">End of the log.</p>}
    </Layout>
  );
}
