import type { EnvironmentSummary } from '../../../coordinator/rollout-coordinator';
import type { SnapshotStatus } from '../../../store/snapshot-store';
import { Badge, Layout, type Viewer, when } from '../layout';

export interface OverviewEnv {
  environment: string;
  summary: EnvironmentSummary | null;
  edge: SnapshotStatus;
}

function age(now: number, at: number | null): string {
  if (at === null) return 'never loaded here';
  const s = Math.max(0, Math.round((now - at) / 1000));
  return s < 120 ? `${s} s` : `${Math.round(s / 60)} min`;
}

/** Each environment: config version, snapshot at the edge, probes, active rollouts. */
export function OverviewPage(props: { viewer: Viewer; envs: OverviewEnv[]; now: number }) {
  return (
    <Layout title="Overview" viewer={props.viewer}>
      {props.envs.map(({ environment, summary, edge }) => {
        const link = `/ui/env/${encodeURIComponent(environment)}`;
        return (
          <section aria-label={environment}>
            <h2>
              <a href={link}>{environment}</a>
            </h2>
            {summary === null ? (
              <p class="error">The coordinator did not answer.</p>
            ) : (
              <>
                <p>
                  Config version {summary.configVersion ?? '–'} · snapshot {summary.snapshotVersion} (published {summary.publishedVersion}) · at this edge:
                  version {edge.version ?? '–'} from {edge.source}, age {age(props.now, edge.publishedAt)}
                  {summary.lastPublishError ? <span class="bad"> · publish error: {summary.lastPublishError}</span> : null}
                </p>
                <p>
                  Probes:{' '}
                  {summary.probes.length === 0
                    ? 'none configured'
                    : summary.probes.map((p) => <Badge text={`${p.name}: ${p.consecutiveFailures === 0 ? 'healthy' : `${p.consecutiveFailures} failures`}`} />)}
                </p>
                {summary.activeRollouts.length === 0 ? (
                  <p class="muted">No active rollouts.</p>
                ) : (
                  <table>
                    <thead>
                      <tr>
                        <th scope="col">Rollout</th>
                        <th scope="col">Flag</th>
                        <th scope="col">Variant</th>
                        <th scope="col">Stage</th>
                        <th scope="col">Status</th>
                        <th scope="col">Verdict</th>
                        <th scope="col">Next step</th>
                      </tr>
                    </thead>
                    <tbody>
                      {summary.activeRollouts.map((r) => (
                        <tr>
                          <td>
                            <a href={`${link}/rollouts/${encodeURIComponent(r.id)}`}>{r.id}</a>
                          </td>
                          <td>{r.flag}</td>
                          <td>{'variant' in r ? r.variant : '–'}</td>
                          <td>
                            {'percent' in r ? (
                              <>
                                <progress max={100} value={r.percent} aria-label={`${r.flag} percent`} /> {r.percent} % · stage {r.stageIndex + 1}/
                                {r.plan.stages.length}
                              </>
                            ) : (
                              'broken'
                            )}
                          </td>
                          <td>
                            <Badge text={r.status} />
                          </td>
                          <td>{'lastVerdict' in r && r.lastVerdict ? <Badge text={r.lastVerdict.kind} /> : '–'}</td>
                          <td>{when(r.nextPromotionAt)}</td>
                        </tr>
                      ))}
                    </tbody>
                  </table>
                )}
              </>
            )}
          </section>
        );
      })}
    </Layout>
  );
}
