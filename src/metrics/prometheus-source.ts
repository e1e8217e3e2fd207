import { boundedText } from '../bounded-text';
import { firstIssue } from '../core/config/issues';
import type { RolloutSignals } from '../core/health/judge';
import { MINUTE_MS, minuteStart } from '../core/metrics/minutes';
import { binsByTime, minuteBuckets, renderQuery, sumByTime } from '../core/metrics/promql';
import { statsOf, type MinuteBucket } from '../core/metrics/window-stats';
import { type PromAnswer, type PrometheusSource, zPromAnswer } from '../core/schema/metrics-source';
import type { SignalsQuery } from './metrics-shard';

/** Minutes of both cohorts one tick asks Prometheus for, at most, for the guards (older ones are skipped, not queued). */
export const MAX_PROMETHEUS_PAIRS = 30;
const DEFAULT_TIMEOUT_MS = 5000;
/**
 * The largest answer read: a range query of ≤ 1000 series × ≤ 10,000 points (what zPromAnswer
 * accepts) fits many times over in far less; a server answering more (misconfigured, or hostile)
 * must not make the coordinator buffer it.
 */
export const MAX_ANSWER_BYTES = 4 * 1024 * 1024;

/** What a Prometheus source needs besides the query: where to send it, with which secrets. */
export interface PrometheusContext {
  fetcher: typeof fetch;
  /** METRICS_SOURCE_SECRETS, as the Worker has it (JSON object of name → value), or undefined. */
  secrets: string | undefined;
}

/**
 * A rollout's signals from a Prometheus server, in the shape the metrics shard answers: the
 * treatment's last complete minutes, the window's and the baseline's stats, both cohorts minute
 * by minute for the guards, the bake. Each number is an `increase` over whole minutes, evaluated
 * at each minute's end, so the minute a rollout started in is left out (it cannot be cut at the
 * start's second). Throws when the server does not answer in time, answers an error, or answers a
 * value that is not a finite count: the rollout then holds (no verdict is ever formed from it).
 */
export async function prometheusSignals(source: PrometheusSource, q: SignalsQuery & { flag: string }, ctx: PrometheusContext): Promise<RolloutSignals> {
  const headers = headersOf(source, ctx.secrets);
  const ask = (path: string, params: Record<string, string>) => askPrometheus(source, path, params, headers, ctx.fetcher);
  const to = minuteStart(q.now);
  const startMinute = minuteStart(q.since) === q.since ? q.since : minuteStart(q.since) + MINUTE_MS;
  const windowFirst = to - q.minutes * MINUTE_MS;
  const pairsFirst = q.pairsFrom === undefined ? to : Math.max(minuteStart(q.pairsFrom), startMinute, to - MAX_PROMETHEUS_PAIRS * MINUTE_MS);
  const first = Math.min(windowFirst, pairsFirst);
  const minutes: number[] = [];
  for (let m = first; m < to; m += MINUTE_MS) minutes.push(m);

  const cohort = async (variant: string): Promise<MinuteBucket[]> => {
    // Before the rollout's first whole minute there is nothing of it to count.
    const counted = minutes.filter((m) => m >= startMinute);
    if (counted.length === 0) return minutes.map((minute) => ({ minute, count: 0, errors: 0, bins: {} }));
    const range = { start: String((counted[0]! + MINUTE_MS) / 1000), end: String(to / 1000), step: '60' };
    const query = (template: string) => ask('/api/v1/query_range', { ...range, query: renderQuery(template, { flag: q.flag, variant, windowSeconds: 60 }) });
    const [requests, errors, buckets] = await Promise.all([
      query(source.queries.requests),
      query(source.queries.errors),
      source.queries.latencyBuckets ? query(source.queries.latencyBuckets) : Promise.resolve(null),
    ]);
    const bins = buckets ? binsByTime(buckets, source.latencyUnit ?? 'seconds') : undefined;
    const out = minuteBuckets(minutes, sumByTime(requests), sumByTime(errors), bins);
    return out.map((b) => (b.minute >= startMinute ? b : { minute: b.minute, count: 0, errors: 0, bins: {} }));
  };

  const [treatment, baseline, bake] = await Promise.all([
    cohort(q.treatment),
    q.baseline === null ? Promise.resolve(null) : cohort(q.baseline),
    q.bakeFrom === null ? Promise.resolve(null) : bakeStats(source, { ...q, bakeFrom: q.bakeFrom }, to, ask),
  ]);
  const inWindow = (b: MinuteBucket) => b.minute >= windowFirst;
  const windowed = treatment.filter(inWindow);
  const out: RolloutSignals = {
    minutes: windowed,
    window: statsOf(windowed),
    pairs: treatment
      .filter((b) => b.minute >= pairsFirst)
      .map((t) => ({ minute: t.minute, treatment: t, baseline: baseline?.find((b) => b.minute === t.minute) ?? null })),
  };
  if (baseline) out.baseline = statsOf(baseline.filter(inWindow));
  if (bake) out.bake = bake;
  return out;
}

/** The bake so far, from instant queries at `to` over the whole bake (whole minutes). */
async function bakeStats(
  source: PrometheusSource,
  q: SignalsQuery & { flag: string; bakeFrom: number },
  to: number,
  ask: (path: string, params: Record<string, string>) => Promise<PromAnswer>,
) {
  const from = minuteStart(q.bakeFrom) === q.bakeFrom ? q.bakeFrom : minuteStart(q.bakeFrom) + MINUTE_MS;
  if (from >= to) return statsOf([]);
  const windowSeconds = (to - from) / 1000;
  const query = (template: string) =>
    ask('/api/v1/query', { time: String(to / 1000), query: renderQuery(template, { flag: q.flag, variant: q.treatment, windowSeconds }) });
  const [requests, errors, buckets] = await Promise.all([
    query(source.queries.requests),
    query(source.queries.errors),
    source.queries.latencyBuckets ? query(source.queries.latencyBuckets) : Promise.resolve(null),
  ]);
  const bins = buckets ? binsByTime(buckets, source.latencyUnit ?? 'seconds') : undefined;
  // An instant answer carries the query time, `to`: the end of a "minute" starting a minute before.
  return statsOf(minuteBuckets([to - MINUTE_MS], sumByTime(requests), sumByTime(errors), bins));
}

async function askPrometheus(
  source: PrometheusSource,
  path: string,
  params: Record<string, string>,
  headers: Headers,
  fetcher: typeof fetch,
): Promise<PromAnswer> {
  const url = `${source.url.replace(/\/+$/, '')}${path}?${new URLSearchParams(params).toString()}`;
  const res = await fetcher(url, { headers, signal: AbortSignal.timeout(source.timeoutMs ?? DEFAULT_TIMEOUT_MS), redirect: 'manual' });
  const text = await boundedText(res.body, MAX_ANSWER_BYTES);
  if (text === null) throw new Error(`Prometheus answered more than ${MAX_ANSWER_BYTES} bytes`);
  if (res.status !== 200) throw new Error(`Prometheus answered ${res.status} to ${path}: ${text.slice(0, 200)}`);
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    throw new Error(`Prometheus answered something that is not JSON to ${path}`);
  }
  const parsed = zPromAnswer.safeParse(body);
  if (!parsed.success) throw new Error(`Prometheus answered an unexpected shape to ${path}: ${firstIssue(parsed.error)}`);
  return parsed.data;
}

/** The source's headers with their values from METRICS_SOURCE_SECRETS; a missing secret is an error, never an empty header. */
function headersOf(source: PrometheusSource, secretsJson: string | undefined): Headers {
  const headers = new Headers({ accept: 'application/json' });
  const wanted = Object.entries(source.headers ?? {});
  if (wanted.length === 0) return headers;
  let secrets: unknown;
  try {
    secrets = secretsJson ? JSON.parse(secretsJson) : null;
  } catch {
    throw new Error('METRICS_SOURCE_SECRETS is not JSON');
  }
  for (const [name, ref] of wanted) {
    const value =
      secrets !== null && typeof secrets === 'object' && Object.hasOwn(secrets, ref.secret) ? (secrets as Record<string, unknown>)[ref.secret] : undefined;
    if (typeof value !== 'string') throw new Error(`METRICS_SOURCE_SECRETS has no string "${ref.secret}" for header ${name}`);
    headers.set(name, value);
  }
  return headers;
}
