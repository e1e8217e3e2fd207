/**
 * The shapes every benchmark returns. They are plain JSON so that bench/results.json can be
 * merged benchmark by benchmark and RESULTS.md re-rendered from it alone.
 */

/** Timing of one measured case, from per-batch averages (see lib/measure.ts). */
export interface Timing {
  /** Median over rounds of each round's median batch average, in nanoseconds per operation. */
  medianNs: number;
  /** 99th percentile of the per-batch average, in nanoseconds per operation. */
  p99Ns: number;
  meanNs: number;
  /** Number of timed batches (samples). */
  samples: number;
  /** Operations per batch (fixed per case after calibration). */
  opsPerSample: number;
  /** Median ns/op of each measurement round, in round order (for paired ratios). */
  roundMediansNs?: number[];
}

/** A table as rendered in RESULTS.md; cells are preformatted strings. */
export interface Table {
  title: string;
  columns: string[];
  rows: string[][];
  notes?: string[];
}

/** One line of the performance budget: printed as PASS or MISS. */
export interface BudgetCheck {
  name: string;
  target: string;
  measured: string;
  pass: boolean;
}

/** What a benchmark function returns. */
export interface BenchOutcome {
  /** `ok`: measured; `unavailable`: not implemented yet or cannot run here (no numbers). */
  status: 'ok' | 'unavailable';
  /** Why a benchmark is unavailable. */
  reason?: string;
  tables: Table[];
  budgets: BudgetCheck[];
  /** Raw numbers for tooling (Timing records keyed by case), kept in results.json. */
  data?: Record<string, unknown>;
}

/** Machine and toolchain the numbers were measured on. */
export interface MachineInfo {
  cpu: string;
  cores: number;
  platform: string;
  node: string;
  workerd: string;
  date: string;
  /** Git commit of the measured code. */
  commit: string;
  /** 1-minute load average when the benchmark started: other work on the machine skews timings. */
  loadAvg: number;
}

/** One benchmark's section of results.json. */
export interface BenchSection extends Omit<BenchOutcome, 'status'> {
  /** `failed` when the benchmark threw (answer mismatch or crash); the error is in `reason`. */
  status: BenchOutcome['status'] | 'failed';
  machine: MachineInfo;
  /** Shortened timings (--quick): fine for smoke runs, not for the budget. */
  quick: boolean;
  durationMs: number;
}

export interface ResultsFile {
  schema: 1;
  updatedAt: string;
  benchmarks: Record<string, BenchSection>;
}

/** Options every benchmark receives from the runner. */
export interface BenchOptions {
  /** Shorter warm-up and sampling, for smoke runs. */
  quick: boolean;
  log: (line: string) => void;
}

export type BenchFn = (opts: BenchOptions) => Promise<BenchOutcome> | BenchOutcome;
