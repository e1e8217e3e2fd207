import type { MinuteStats } from '../../core/metrics/window-stats';
import { formatMs, formatRate } from '../../core/numbers';

/** A decision to mark on a chart: when, and what (e.g. "rollback"). */
export interface Mark {
  at: number;
  label: string;
}

type Metric = 'errorRate' | 'p95Ms' | 'p99Ms';

const W = 560;
const H = 180;
const PAD = { l: 48, r: 10, t: 10, b: 22 };
const MAX_DOTS = 30;

function fmt(metric: Metric, v: number): string {
  return metric === 'errorRate' ? formatRate(v) : formatMs(Math.round(v));
}

/**
 * One metric per minute, treatment (solid) against baseline (dashed), with the rollout's limit as
 * a horizontal line and every decision as a vertical one. Plain SVG: no script, no library.
 */
export function Chart(props: {
  title: string;
  metric: Metric;
  treatment: MinuteStats[];
  baseline: MinuteStats[];
  limit: number;
  marks: Mark[];
  from: number;
  to: number;
}) {
  const { metric, from, to } = props;
  const span = Math.max(to - from, 60_000);
  // Decisions before the charted minutes (a long rollout's early stages) are in the history table, not on the chart.
  const marks = props.marks.filter((m) => m.at >= from && m.at <= from + span);
  const values = [...props.treatment, ...props.baseline].map((m) => m[metric]).filter((v): v is number => v !== null);
  const top = Math.max(props.limit * 1.2, ...values) || 1;
  const x = (t: number) => PAD.l + ((t - from) / span) * (W - PAD.l - PAD.r);
  const y = (v: number) => H - PAD.b - (v / top) * (H - PAD.t - PAD.b);
  const points = (ms: MinuteStats[]) => ms.filter((m) => m[metric] !== null).map((m) => [x(m.minute + 30_000), y(m[metric]!)] as const);
  const line = (ms: MinuteStats[]) =>
    points(ms)
      .map(([px, py]) => `${px.toFixed(1)},${py.toFixed(1)}`)
      .join(' ');
  // Dots as well as lines while minutes are few, so a minute alone is still seen; past that the line is enough and the page stays small.
  const dots = (ms: MinuteStats[], cls: string, fill: string) =>
    ms.length > MAX_DOTS ? null : points(ms).map(([px, py]) => <circle class={cls} cx={px.toFixed(1)} cy={py.toFixed(1)} r="3" fill={fill} />);
  const last = (ms: MinuteStats[]) => [...ms].reverse().find((m) => m[metric] !== null)?.[metric] ?? null;
  const lt = last(props.treatment);
  const lb = last(props.baseline);
  const desc = `treatment ${lt === null ? 'no data' : fmt(metric, lt)}, baseline ${lb === null ? 'no data' : fmt(metric, lb)}, limit ${fmt(metric, props.limit)}; ${marks.length} decisions marked`;
  return (
    <figure>
      <figcaption>
        {props.title} <span class="muted">— {desc}</span>
      </figcaption>
      <svg class="chart" viewBox={`0 0 ${W} ${H}`} role="img" aria-label={`${props.title}: ${desc}`}>
        <line x1={PAD.l} y1={H - PAD.b} x2={W - PAD.r} y2={H - PAD.b} stroke="currentColor" stroke-opacity="0.4" />
        <text x={2} y={y(top) + 10}>
          {fmt(metric, top)}
        </text>
        <text x={2} y={H - PAD.b}>
          0
        </text>
        <line class="limit" x1={PAD.l} x2={W - PAD.r} y1={y(props.limit)} y2={y(props.limit)} stroke="#d1242f" stroke-dasharray="2 3" />
        <text x={PAD.l + 4} y={y(props.limit) - 3}>
          limit {fmt(metric, props.limit)}
        </text>
        <polyline class="baseline" fill="none" stroke="#8c959f" stroke-width="2" stroke-dasharray="5 3" points={line(props.baseline)} />
        <polyline class="treatment" fill="none" stroke="#0969da" stroke-width="2" points={line(props.treatment)} />
        {dots(props.baseline, 'baseline', '#8c959f')}
        {dots(props.treatment, 'treatment', '#0969da')}
        {marks.map((m) => (
          <g class="decision" data-event={m.label}>
            <title>{`${m.label} at ${new Date(m.at).toISOString()}`}</title>
            <line x1={x(m.at)} x2={x(m.at)} y1={PAD.t} y2={H - PAD.b} stroke="#9a6700" stroke-width="2" />
            <text x={x(m.at) > W - 100 ? x(m.at) - 3 : x(m.at) + 3} y={PAD.t + 10} text-anchor={x(m.at) > W - 100 ? 'end' : 'start'}>
              {m.label}
            </text>
          </g>
        ))}
        <text x={PAD.l} y={H - 6}>
          {new Date(from).toISOString().slice(11, 16)}Z
        </text>
        <text x={W - PAD.r - 40} y={H - 6}>
          {new Date(from + span).toISOString().slice(11, 16)}Z
        </text>
      </svg>
    </figure>
  );
}
