import type { StoredRolloutView } from '../../../coordinator/rollout-ops';
import { resolveFlag } from '../../../core/config/resolve-environment';
import type { RollgateConfig } from '../../../core/schema/config';
import { Badge, Csrf, Layout, type Viewer, when } from '../layout';

export interface EnvironmentPageProps {
  viewer: Viewer;
  environment: string;
  config: { version: number; document: RollgateConfig; updatedAt: string; actor: string } | null;
  rollouts: StoredRolloutView[];
  query: string;
  canEdit: boolean;
  isProtected: boolean;
}

/** The most flags one page lists; a search narrows them. */
const MAX_ROWS = 200;

/** A short summary of a targeting rule: its top-level operators. */
export function targetingSummary(t: unknown): string {
  if (t === undefined || t === null || typeof t !== 'object') return 'none';
  const ops = Object.keys(t);
  return ops.length === 0 ? 'none' : ops.join(', ');
}

export function EnvironmentPage(props: EnvironmentPageProps) {
  const env = props.environment;
  const base = `/ui/env/${encodeURIComponent(env)}`;
  const active = new Map(props.rollouts.filter((r) => r.status === 'running' || r.status === 'paused').map((r) => [r.flag, r]));
  const q = props.query.toLowerCase();
  const names = Object.keys(props.config?.document.flags ?? {}).filter((n) => n.toLowerCase().includes(q));
  return (
    <Layout title={`Environment ${env}`} viewer={props.viewer}>
      <p>
        <a href={`${base}/audit`}>Audit log</a> · <a href={`${base}/keys`}>Client keys</a>
        {props.isProtected ? <span class="warn"> · protected</span> : null}
      </p>
      {props.config ? (
        <p>
          Config version {props.config.version}, written {when(props.config.updatedAt)} by {props.config.actor}. Earlier versions and their diffs are in the{' '}
          <a href={`${base}/audit?action=config.write`}>audit log</a>.
        </p>
      ) : (
        <p class="muted">No config written yet.</p>
      )}
      {props.canEdit && props.config ? (
        <form method="post" action={`${base}/revert`} class="inline">
          <Csrf viewer={props.viewer} />
          <label>
            Revert to version <input name="version" type="number" min={1} max={props.config.version} required />
          </label>
          <label>
            Reason <input name="reason" maxlength={1000} />
          </label>
          {props.isProtected ? (
            <label>
              Type “{env}” to confirm <input name="confirm" autocomplete="off" />
            </label>
          ) : null}
          <button type="submit">Revert</button>
        </form>
      ) : null}
      <h2>Flags</h2>
      <form method="get" action={base} role="search">
        <label>
          Search <input name="q" value={props.query} />
        </label>{' '}
        <button type="submit">Search</button>
      </form>
      <table>
        <thead>
          <tr>
            <th scope="col">Flag</th>
            <th scope="col">State</th>
            <th scope="col">Default</th>
            <th scope="col">Variants</th>
            <th scope="col">Targeting</th>
            <th scope="col">Rollout</th>
          </tr>
        </thead>
        <tbody>
          {names.slice(0, MAX_ROWS).map((name) => {
            const f = resolveFlag(props.config!.document.flags[name]!, env);
            const r = active.get(name);
            return (
              <tr>
                <td>
                  <a href={`${base}/flags/${encodeURIComponent(name)}`}>{name}</a>
                </td>
                <td>{f.state}</td>
                <td>{f.defaultVariant ?? '–'}</td>
                <td>{Object.keys(f.variants).join(', ')}</td>
                <td>{targetingSummary(f.targeting)}</td>
                <td>
                  {r ? (
                    <a href={`${base}/rollouts/${encodeURIComponent(r.id)}`}>
                      <Badge text={`${r.status} ${'percent' in r ? `${r.percent} %` : ''}`} />
                    </a>
                  ) : (
                    '–'
                  )}
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>
      {names.length > MAX_ROWS ? <p class="muted">{names.length - MAX_ROWS} more: narrow the search.</p> : null}
    </Layout>
  );
}
