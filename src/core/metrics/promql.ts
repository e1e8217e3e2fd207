/**
 * PromQL for the verdicts: rendering an environment's query templates, and turning Prometheus'
 * answers into the minute buckets the health rule reads (the same shape the reports produce).
 * Pure; the HTTP calls are in src/metrics/prometheus-source.ts.
 */
import type { PromAnswer } from '../schema/metrics-source';
import { binOf } from './sketch';
import type { MinuteBucket } from './window-stats';
import { MAX_LATENCY_MS } from '../schema/metrics';

/** A value for a PromQL double-quoted string: backslashes, quotes and line breaks escaped, so a flag key cannot end the string. */
export function promString(value: string): string {
  return value.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n').replace(/\r/g, '\\r');
}

/** The template with `{{flag}}`, `{{variant}}` (escaped for a quoted label value) and `{{window}}` (e.g. `60s`) filled in. */
export function renderQuery(template: string, values: { flag: string; variant: string; windowSeconds: number }): string {
  return template.replace(/\{\{\s*([A-Za-z_]*)\s*\}\}/g, (_m, name: string) => {
    if (name === 'flag') return promString(values.flag);
    if (name === 'variant') return promString(values.variant);
    return `${Math.max(1, Math.round(values.windowSeconds))}s`;
  });
}

/** Why an answer cannot be believed: a value that is not a finite number ≥ 0 (NaN, ±Inf). A verdict is never formed from it. */
export class UnusableAnswer extends Error {}

function count(text: string): number {
  const v = Number(text);
  if (!(Number.isFinite(v) && v >= 0)) throw new UnusableAnswer(`Prometheus answered "${text}", not a count`);
  // increase() extrapolates to the window's edges, so counts come back fractional.
  return Math.round(v);
}

/** The sum over series of a range answer, per evaluation time (seconds since the epoch). */
export function sumByTime(answer: PromAnswer): Map<number, number> {
  const out = new Map<number, number>();
  for (const series of answer.data.result) {
    for (const [t, v] of series.values ?? (series.value ? [series.value] : [])) out.set(t, (out.get(t) ?? 0) + count(v));
  }
  return out;
}

/**
 * A histogram answer (one series per `le`, cumulative counts) as sketch bins per evaluation time:
 * each bucket's own count goes to the bin of its upper bound (so quantiles read at bucket bounds,
 * never lower than the truth), and the `+Inf` bucket's to the bin above the largest finite bound.
 */
export function binsByTime(answer: PromAnswer, unit: 'seconds' | 'milliseconds'): Map<number, Record<string, number>> {
  const scale = unit === 'seconds' ? 1000 : 1;
  const byTime = new Map<number, Array<[number, number]>>();
  for (const series of answer.data.result) {
    const le = series.metric['le'];
    if (le === undefined) continue;
    const bound = le === '+Inf' ? Infinity : Number(le) * scale;
    if (!(bound >= 0)) continue;
    for (const [t, v] of series.values ?? (series.value ? [series.value] : [])) {
      const list = byTime.get(t) ?? [];
      list.push([bound, count(v)]);
      byTime.set(t, list);
    }
  }
  const out = new Map<number, Record<string, number>>();
  for (const [t, list] of byTime) {
    list.sort((a, b) => a[0] - b[0]);
    const finite = list.filter(([b]) => Number.isFinite(b));
    const top = finite.length > 0 ? Math.min(binOf(Math.min(finite.at(-1)![0], MAX_LATENCY_MS)) + 1, binOf(MAX_LATENCY_MS)) : binOf(MAX_LATENCY_MS);
    const bins: Record<string, number> = {};
    let below = 0;
    for (const [bound, cumulative] of list) {
      const own = cumulative - below;
      below = Math.max(below, cumulative);
      if (own <= 0) continue;
      const bin = Number.isFinite(bound) ? binOf(Math.min(bound, MAX_LATENCY_MS)) : top;
      bins[String(bin)] = (bins[String(bin)] ?? 0) + own;
    }
    out.set(t, bins);
  }
  return out;
}

/** Minute buckets for `minutes` (starts, ms) from per-time sums: the value evaluated at a minute's end is that minute's. */
export function minuteBuckets(
  minutes: readonly number[],
  requests: Map<number, number>,
  errors: Map<number, number>,
  bins?: Map<number, Record<string, number>>,
): MinuteBucket[] {
  return minutes.map((minute) => {
    const at = (minute + 60_000) / 1000;
    const count = requests.get(at) ?? 0;
    return { minute, count, errors: Math.min(errors.get(at) ?? 0, count), bins: bins?.get(at) ?? {} };
  });
}
