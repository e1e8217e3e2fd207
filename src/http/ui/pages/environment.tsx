import type { ConfigHistory } from '../../../coordinator/rollout-coordinator';
import { isActive } from '../../../core/rollout/schedule';
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
  history: ConfigHistory | null;
  /** The versions compared, when a diff was asked for. */
  compared: { from: number; to: number } | null;
}

/** The most flags one page lists; a search narrows them. */
const MAX_ROWS = 200;

/** A short summary of a targeting rule: its top-level operators. */
export function targetingSummary(t: unknown): string {
  if (t === undefined || t === null || typeof t !== 'object') return 'none';
  const ops = Object.keys(t);
  return ops.length === 0 ? 'none' : ops.join(', ');
}

/** Config versions with who, when and why, and a diff between any two. */
function Versions(props: EnvironmentPageProps) {
  const h = props.history;
  if (!h || h.versions.length === 0) return null;
  const latest = h.versions[0]!.version;
  const cmp = props.compared ?? { from: Math.max(1, latest - 1), to: latest };
  return (
    <section aria-label="config versions">
      <h2>Config versions</h2>
      <table>
        <thead>
          <tr>
            <th scope="col">Version</th>
            <th scope="col">When</th>
            <th scope="col">Who</th>
            <th scope="col">Why</th>
          </tr>
        </thead>
        <tbody>
          {h.versions.map((v) => (
            <tr>
              <td>{v.version}</td>
              <td>{when(v.createdAt)}</td>
              <td>{v.actor}</td>
              <td>{v.reason ?? ''}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <form method="get" action={`/ui/env/${encodeURIComponent(props.environment)}`} class="inline">
        <label>
          Diff from version <input name="from" type="number" min={1} max={latest} value={String(cmp.from)} />
        </label>
        <label>
          to <input name="to" type="number" min={1} max={latest} value={String(cmp.to)} />
        </label>
        <button type="submit">Compare</button>
      </form>
      {h.diff ? (
        <div aria-label="diff">
          <p>
            Version {cmp.from} → {cmp.to}: {h.diff.length === 0 ? 'no changes' : `${h.diff.length} changed`}
          </p>
          <ul>
            {h.diff.map((d) => (
              <li>
                <strong>{d.target}</strong> {d.change}
                <details>
                  <summary>before / after</summary>
                  <pre>{`${JSON.stringify(d.before ?? null, null, 2)}\n→\n${JSON.stringify(d.after ?? null, null, 2)}`}</pre>
                </details>
              </li>
            ))}
          </ul>
        </div>
      ) : null}
    </section>
  );
}

export function EnvironmentPage(props: EnvironmentPageProps) {
  const env = props.environment;
  const base = `/ui/env/${encodeURIComponent(env)}`;
  const active = new Map(props.rollouts.filter(isActive).map((r) => [r.flag, r]));
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
          Config version {props.config.version}, written {when(props.config.updatedAt)} by {props.config.actor}.
        </p>
      ) : (
        <p class="muted">No config written yet.</p>
      )}
      <Versions {...props} />
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
