import type { AuditEntry } from '../../../coordinator/audit-log';
import type { StoredRolloutView } from '../../../coordinator/rollout-ops';
import type { FlagdFlag } from '../../../core/schema/flag';
import { Badge, Layout, type Viewer, when } from '../layout';
import { AuditTable } from './audit';

/** One flag: variants, targeting, metadata, its rollouts and its audit. */
export function FlagPage(props: { viewer: Viewer; environment: string; name: string; flag: FlagdFlag; rollouts: StoredRolloutView[]; audit: AuditEntry[] }) {
  const base = `/ui/env/${encodeURIComponent(props.environment)}`;
  const f = props.flag;
  return (
    <Layout title={`Flag ${props.name}`} viewer={props.viewer}>
      <p>
        State {f.state} · default variant {f.defaultVariant ?? '–'} in {props.environment}
      </p>
      <h2>Variants</h2>
      <pre>{JSON.stringify(f.variants, null, 2)}</pre>
      <h2>Targeting</h2>
      <pre>{f.targeting ? JSON.stringify(f.targeting, null, 2) : 'none'}</pre>
      <h2>Metadata</h2>
      <pre>{f.metadata ? JSON.stringify(f.metadata, null, 2) : 'none'}</pre>
      <h2>Rollouts</h2>
      <ul>
        {props.rollouts.map((r) => (
          <li>
            <a href={`${base}/rollouts/${encodeURIComponent(r.id)}`}>{r.id}</a> <Badge text={r.status} />{' '}
            {'variant' in r ? `${r.variant} at ${r.percent} %, started ${when(r.startedAt)}` : ''}
          </li>
        ))}
      </ul>
      <h2>Audit</h2>
      <AuditTable entries={props.audit} />
    </Layout>
  );
}
