import type { RolloutView, StoredRolloutView } from '../../../coordinator/rollout-ops';
import { isActive } from '../../../core/rollout/schedule';
import { needsConfirmation, type RolloutActionName } from '../../../core/rollout/actions';
import { describeEvidence } from '../../../core/health/evidence';
import type { MinuteStats } from '../../../core/metrics/window-stats';
import { Chart, type Mark } from '../chart';
import { Badge, Csrf, Layout, type Viewer, when } from '../layout';

/** The per-minute numbers of both cohorts over the charted span. */
export interface RolloutSeries {
  treatment: MinuteStats[];
  baseline: MinuteStats[];
  from: number;
  to: number;
}

export interface RolloutPageProps {
  viewer: Viewer;
  environment: string;
  rollout: StoredRolloutView;
  series: RolloutSeries | null;
  canOperate: boolean;
  isProtected: boolean;
  error?: string | undefined;
}

function verdictText(r: RolloutView): string {
  const v = r.lastVerdict;
  if (!v) return 'no verdict yet';
  if (v.kind === 'held') return `held (${v.cause.replace(/_/g, ' ')})`;
  if (v.kind === 'breached' || v.kind === 'degraded') return `${v.kind} (${v.trigger.replace(/_/g, ' ')})`;
  return v.kind;
}

/** The stages as planned (start + offset + time paused) beside when each was reached. */
function Timeline(props: { r: RolloutView }) {
  const r = props.r;
  const history = r.history ?? [];
  return (
    <table>
      <caption class="muted">Stages: planned vs actual</caption>
      <thead>
        <tr>
          <th scope="col">Stage</th>
          <th scope="col">Percent</th>
          <th scope="col">Planned</th>
          <th scope="col">Reached</th>
        </tr>
      </thead>
      <tbody>
        {r.plan.stages.map((s, i) => {
          const reached = i === 0 ? r.startedAt : history.find((h) => h.toPercent >= s.percent && h.fromPercent < s.percent)?.at;
          return (
            <tr class={i === r.stageIndex ? 'current' : undefined}>
              <td>
                {i + 1}
                {i === r.stageIndex ? ' (current)' : ''}
              </td>
              <td>{s.percent} %</td>
              <td>{when(r.startedAt + s.afterSeconds * 1000 + r.pausedTotalMs)}</td>
              <td>{reached === undefined ? '–' : when(reached)}</td>
            </tr>
          );
        })}
      </tbody>
    </table>
  );
}

/** Pause, resume, promote and rollback, as the viewer's role allows; those that need confirmation (needsConfirmation) ask for the name of a protected environment. */
function Actions(props: RolloutPageProps & { r: RolloutView }) {
  const { r, viewer, environment } = props;
  if (!props.canOperate || r.status === 'completed' || r.status === 'rolled_back' || r.status === 'aborted') return null;
  const base = `/ui/env/${encodeURIComponent(environment)}/rollouts/${encodeURIComponent(r.id)}/`;
  const form = (action: RolloutActionName, label: string, danger = false) => (
    <form method="post" action={base + action} class="inline">
      <Csrf viewer={viewer} />
      <input type="hidden" name="fromStage" value={String(r.stageIndex)} />
      <label>
        Reason <input name="reason" required maxlength={1000} value={`${action} from the dashboard`} />
      </label>
      {needsConfirmation(action) && props.isProtected ? (
        <label>
          Type “{environment}” to confirm <input name="confirm" autocomplete="off" />
        </label>
      ) : null}
      <button type="submit" class={danger ? 'danger' : undefined}>
        {label}
      </button>
    </form>
  );
  return (
    <section aria-label="actions">
      <h2>Actions</h2>
      {form('rollback', 'Roll back', true)}
      {r.status === 'running' ? form('pause', 'Pause') : form('resume', 'Resume')}
      {r.status === 'running' ? form('promote', 'Promote') : null}
    </section>
  );
}

export function RolloutPage(props: RolloutPageProps) {
  const r = props.rollout;
  const title = `Rollout ${r.id}`;
  if ('broken' in r) {
    return (
      <Layout title={title} viewer={props.viewer}>
        <p class="error">This rollout's stored row does not parse: {r.broken}. Only rollback applies (CLI or API).</p>
      </Layout>
    );
  }
  const marks: Mark[] = (r.history ?? []).filter((h) => h.event !== 'start').map((h) => ({ at: Date.parse(h.at), label: h.event.replace(/_/g, ' ') }));
  const guards = r.lastVerdict?.numbers?.guards ?? [];
  const h = r.plan.health;
  const s = props.series;
  return (
    <Layout title={title} viewer={props.viewer} live={isActive(r)}>
      {props.error ? (
        <p class="error" role="alert">
          {props.error}
        </p>
      ) : null}
      <p>
        Flag <a href={`/ui/env/${encodeURIComponent(props.environment)}/flags/${encodeURIComponent(r.flag)}`}>{r.flag}</a>, variant <strong>{r.variant}</strong>{' '}
        against baseline <strong>{r.baselineVariant ?? 'default variant'}</strong> in {props.environment}.
      </p>
      <p>
        Status: <Badge text={r.status} /> · at <progress max={100} value={r.percent} aria-label="percent of traffic" /> {r.percent} % (stage {r.stageIndex + 1}{' '}
        of {r.plan.stages.length}) · verdict: <Badge text={verdictText(r)} /> · next step: {when(r.nextPromotionAt)}
      </p>
      <p>Last decision: {r.lastDecision ?? '–'}</p>
      {r.tickError ? <p class="error">Ticks are failing: {JSON.stringify(r.tickError)}</p> : null}
      <Actions {...props} r={r} />
      <h2>Guards</h2>
      {guards.length === 0 ? <p class="muted">No evidence yet.</p> : null}
      <ul>
        {guards.map((g) => (
          <li>{describeEvidence(g)}</li>
        ))}
      </ul>
      <h2>Per minute: treatment (solid blue) vs baseline (dashed grey)</h2>
      {s ? (
        <div class="charts">
          <Chart title="Error rate" metric="errorRate" limit={h.maxErrorRate} marks={marks} {...s} />
          <Chart title="P95" metric="p95Ms" limit={h.maxP95Ms} marks={marks} {...s} />
          <Chart title="P99" metric="p99Ms" limit={h.maxP99Ms} marks={marks} {...s} />
        </div>
      ) : (
        <p class="muted">The metrics shard did not answer.</p>
      )}
      <Timeline r={r} />
      <h2>History</h2>
      <table>
        <thead>
          <tr>
            <th scope="col">At</th>
            <th scope="col">Event</th>
            <th scope="col">Actor</th>
            <th scope="col">Status</th>
            <th scope="col">Percent</th>
          </tr>
        </thead>
        <tbody>
          {(r.history ?? []).map((t) => (
            <tr>
              <td>{when(t.at)}</td>
              <td>{t.event}</td>
              <td>{t.actor}</td>
              <td>
                {t.fromStatus} → {t.toStatus}
              </td>
              <td>
                {t.fromPercent} → {t.toPercent}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </Layout>
  );
}
