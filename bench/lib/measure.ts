/**
 * A hand-rolled batch timer. We do not use mitata's per-call loop here because every case must
 * walk the same array of 10,000 contexts, and a generic `fn(ctx)` loop shared by all cases would
 * make its call site megamorphic and tax the fastest case. Instead each case owns its loop
 * (`run(start, count)`), and this file only times batches of it.
 *
 * Method: warm up every case, calibrate a batch size per case (≥ `batchNs` per batch), then run
 * `rounds` rounds; in each round every case is timed for `roundMs`, the case order alternating
 * between rounds, with a full GC before each case so that garbage left by one case (flagd-core
 * allocates a lot) is not collected on the next one's clock. Each sample is one batch's average
 * ns/op; "median" is the median of the rounds' medians and "p99" the 99th percentile of all batch
 * averages, not of single calls (a single call of ~100 ns is below what hrtime can time honestly).
 */
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import type { Timing } from './types';

export interface Case {
  name: string;
  /**
   * Runs `count` operations on inputs `start … start+count-1` and returns a number derived from
   * every result; the harness adds it to a checksum, so no result can be optimised away.
   */
  run(start: number, count: number): number;
  /** Number of distinct inputs the case walks; 0 when it takes none (batches are then unbounded). */
  inputs: number;
}

export interface MeasureOptions {
  warmupMs: number;
  rounds: number;
  roundMs: number;
  /** Target duration of one batch, so that the timer's own cost (~50 ns) is negligible. */
  batchNs: number;
  /** Upper bound on operations per batch (input-free cases). */
  maxBatch?: number;
}

export const DEFAULT_OPTIONS: MeasureOptions = { warmupMs: 400, rounds: 20, roundMs: 60, batchNs: 200_000 };
export const QUICK_OPTIONS: MeasureOptions = { warmupMs: 80, rounds: 4, roundMs: 30, batchNs: 100_000 };

let checksum = 0;
/** The sum of everything the cases returned; printed by the runner so the work is observable. */
export function resultChecksum(): number {
  return checksum;
}

const gc = exposeGc();

/** Full GC between cases; `--expose-gc` can be turned on at run time, so `npm run bench` needs no node flags. */
function exposeGc(): () => void {
  const existing = (globalThis as { gc?: () => void }).gc;
  if (existing) return existing;
  setFlagsFromString('--expose-gc');
  return runInNewContext('gc') as () => void;
}

function now(): bigint {
  return process.hrtime.bigint();
}

interface State {
  c: Case;
  batch: number;
  offset: number;
  samples: number[];
  /** Median ns/op of each round, for paired ratios. */
  roundMedians: number[];
}

/** Runs one batch of the case and returns its duration in ns; walks the inputs cyclically. */
function timeBatch(s: State): number {
  const { c, batch } = s;
  if (c.inputs > 0 && s.offset + batch > c.inputs) s.offset = 0;
  const t0 = now();
  checksum = (checksum + c.run(s.offset, batch)) | 0;
  const dt = Number(now() - t0);
  if (c.inputs > 0) s.offset += batch;
  return dt;
}

function warmUp(s: State, ms: number): void {
  const end = now() + BigInt(Math.round(ms * 1e6));
  do timeBatch(s);
  while (now() < end);
}

function calibrate(s: State, opts: MeasureOptions): void {
  const cap = s.c.inputs > 0 ? s.c.inputs : (opts.maxBatch ?? 1_000_000);
  s.batch = 1;
  for (;;) {
    const dt = timeBatch(s);
    if (dt >= opts.batchNs || s.batch >= cap) return;
    s.batch = Math.min(cap, s.batch * 2);
  }
}

/** Times every case with the method described at the top of this file. */
export function measureCases(cases: readonly Case[], opts: MeasureOptions): Map<string, Timing> {
  const states: State[] = cases.map((c) => ({ c, batch: 1, offset: 0, samples: [], roundMedians: [] }));
  for (const s of states) {
    // Input-free cases may be slow (compiling 10,000 flags), so they warm up one op at a time.
    s.batch = s.c.inputs > 0 ? Math.min(64, s.c.inputs) : 1;
    warmUp(s, opts.warmupMs);
    calibrate(s, opts);
  }
  for (let r = 0; r < opts.rounds; r++) {
    const order = r % 2 === 0 ? states : [...states].reverse();
    for (const s of order) {
      gc();
      const end = now() + BigInt(Math.round(opts.roundMs * 1e6));
      const round: number[] = [];
      do round.push(timeBatch(s) / s.batch);
      while (now() < end);
      s.samples.push(...round);
      s.roundMedians.push(median(round));
    }
  }
  const out = new Map<string, Timing>();
  // The reported median is the median of round medians: on a VM whose speed flips between states
  // every few seconds, fast rounds yield more batches, so a pooled median would lean towards them
  // by a different amount for every case. Round medians weigh every round alike, as pairedRatio does.
  for (const s of states) {
    out.set(s.c.name, { ...summarize(s.samples, s.batch), medianNs: median(s.roundMedians), roundMediansNs: s.roundMedians });
  }
  return out;
}

function median(xs: readonly number[]): number {
  const sorted = [...xs].sort((a, b) => a - b);
  return sorted[Math.floor((sorted.length - 1) / 2)]!;
}

/**
 * `num / den` as the median over rounds of the ratio of the two cases' round medians. Both cases
 * of a round ran within a fraction of a second of each other, so a slow spell on a shared machine
 * cancels out of each round's ratio instead of biasing whichever case it happened to hit.
 */
export function pairedRatio(num: Timing, den: Timing): number {
  const a = num.roundMediansNs ?? [];
  const b = den.roundMediansNs ?? [];
  const n = Math.min(a.length, b.length);
  if (n === 0) return num.medianNs / den.medianNs;
  return median(Array.from({ length: n }, (_, i) => a[i]! / b[i]!));
}

/** Median, p99 (nearest rank) and mean of per-batch ns/op samples. */
export function summarize(samples: readonly number[], opsPerSample: number): Timing {
  const sorted = [...samples].sort((a, b) => a - b);
  const rank = (p: number) => sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(p * sorted.length) - 1))]!;
  const mean = sorted.reduce((a, b) => a + b, 0) / sorted.length;
  return { medianNs: rank(0.5), p99Ns: rank(0.99), meanNs: mean, samples: sorted.length, opsPerSample };
}
