import type { RolloutView } from './api';
import { CliError, EXIT } from './errors';
import { ApiError, type AdminClient } from './http';
import type { CliIo, OutStream } from './io';
import { count, formatDuration, isoSeconds, ms, type Paint, pct, table, visibleText } from './output';
import { evidenceLines, nextStep, percentBar, stageBar, statusColour, verdictColour, verdictHeadline } from './rollouts';

/** How a wait ended. */
export type WaitOutcome = 'completed' | 'rolled_back' | 'aborted' | 'healthy' | 'insufficient-data' | 'unhealthy';

export interface WaitResult {
  outcome: WaitOutcome;
  exitCode: number;
  rollout: RolloutView;
  /** One line for the operator. */
  message: string;
}

/** Shows a rollout while it is watched. */
export interface WaitDisplay {
  /** True when the display redraws in place and wants a refresh every second. */
  readonly live: boolean;
  update(rollout: RolloutView, now: number, deadline: number): void;
  warn(text: string): void;
  finish(): void;
}

/** The exit code and words for a rollout's state when the wait stops. */
export function classify(r: RolloutView, waitedMs: number): Omit<WaitResult, 'rollout'> {
  switch (r.status) {
    case 'completed':
      return { outcome: 'completed', exitCode: EXIT.ok, message: `rollout completed: "${r.variant}" is now the default of ${r.flag}` };
    case 'rolled_back':
      return { outcome: 'rolled_back', exitCode: EXIT.rolledBack, message: `rollout rolled back — ${r.lastDecision ?? 'see the audit log'}` };
    case 'aborted':
      return { outcome: 'aborted', exitCode: EXIT.failure, message: `rollout aborted — ${r.lastDecision ?? 'see the audit log'}` };
  }
  const v = r.lastVerdict;
  const where = `still ${r.status} at ${r.percent}% (stage ${r.stageIndex + 1} of ${r.plan.stages.length}) after ${formatDuration(waitedMs)}`;
  if (v?.kind === 'healthy') {
    return { outcome: 'healthy', exitCode: EXIT.ok, message: `wait over: ${where}, healthy — it carries on by itself` };
  }
  if (!v || v.kind === 'insufficient-data') {
    return {
      outcome: 'insufficient-data',
      exitCode: EXIT.insufficientData,
      message: `wait over: ${where}, ${v ? verdictHeadline(v) : 'no health verdict yet'} — are the apps posting metrics to /v1/metrics, and is the cron running?`,
    };
  }
  return { outcome: 'unhealthy', exitCode: EXIT.failure, message: `wait over: ${where}, health ${verdictHeadline(v)} — consider \`rollgate rollback\`` };
}

/**
 * Polls a rollout until it ends or `waitSeconds` pass. Exit codes: 0 completed or healthy at the
 * end, 3 rolled back, 4 data insufficient at the end, 1 aborted or unhealthy at the end.
 * Transient failures (network, 5xx) are reported and retried until the deadline.
 */
export async function waitForRollout(options: {
  client: AdminClient;
  io: CliIo;
  environment: string;
  id: string;
  waitSeconds: number;
  intervalSeconds: number;
  display: WaitDisplay;
}): Promise<WaitResult> {
  const { client, io, environment, id, display } = options;
  const started = io.now();
  const deadline = started + options.waitSeconds * 1000;
  const intervalMs = Math.max(1, options.intervalSeconds * 1000);
  let last: RolloutView | undefined;
  let lastError: CliError | undefined;
  try {
    for (;;) {
      try {
        last = (await client.get<RolloutView>(client.envPath(environment, `/rollouts/${encodeURIComponent(id)}`), { environment })).body;
        lastError = undefined;
      } catch (err) {
        if (err instanceof ApiError && err.status < 500) throw err;
        if (!(err instanceof CliError)) throw err;
        lastError = err;
        display.warn(`${err.message} (retrying)`);
      }
      const now = io.now();
      if (last) display.update(last, now, deadline);
      if (last && (last.status === 'completed' || last.status === 'rolled_back' || last.status === 'aborted')) break;
      if (now >= deadline) break;
      const nextPoll = Math.min(now + intervalMs, deadline);
      // A live display counts down every second between polls.
      while (io.now() < nextPoll) {
        const step = display.live ? Math.min(1000, nextPoll - io.now()) : nextPoll - io.now();
        await io.sleep(step);
        if (display.live && last && io.now() < nextPoll) display.update(last, io.now(), deadline);
      }
    }
  } finally {
    display.finish();
  }
  if (!last) throw lastError ?? new CliError(`could not read rollout ${id}`);
  return { rollout: last, ...classify(last, io.now() - started) };
}

/** The health table of a rollout: one row per cohort. */
function healthRows(r: RolloutView): string[][] {
  const v = r.lastVerdict;
  const n = v && 'numbers' in v ? v.numbers : undefined;
  if (!n) return [];
  const rows = [['', 'error rate', 'p95', 'p99', 'samples']];
  rows.push([`treatment (${r.variant})`, pct(n.errorRate), ms(n.p95Ms), ms(n.p99Ms), count(n.samples)]);
  if (n.baseline)
    rows.push([
      `baseline (${r.baselineVariant ?? 'default'})`,
      pct(n.baseline.errorRate),
      ms(n.baseline.p95Ms),
      ms(n.baseline.p99Ms),
      count(n.baseline.samples),
    ]);
  return rows;
}

/** The frame the live display draws. */
export function progressFrame(r: RolloutView, now: number, deadline: number, p: Paint, environment: string): string[] {
  const sc = statusColour(r.status, p);
  const vc = verdictColour(r.lastVerdict, p);
  const left = Math.max(0, deadline - now);
  const lines = [
    `${p.bold(r.flag)} → ${p.bold(r.variant)} in ${environment} ${p.dim(`(${r.id})`)}  ${p.dim(`watching, ${formatDuration(left)} left`)}`,
    `${p.cyan(percentBar(r.percent))} ${p.bold(`${r.percent}%`.padStart(4))}  stage ${r.stageIndex + 1} of ${r.plan.stages.length}  ${sc(r.status)}`,
    `stages    ${stageBar(r, p)}`,
    `next      ${nextStep(r, now)}`,
    `health    ${vc(verdictHeadline(r.lastVerdict))}`,
  ];
  for (const row of table(healthRows(r), 3)) lines.push(`  ${row}`);
  const v = r.lastVerdict;
  if (v && 'numbers' in v && v.numbers) lines.push(...evidenceLines(v.numbers, 'evidence  ', '          '));
  if (r.lastDecision) lines.push(`decision  ${r.lastDecision}`);
  return lines;
}

/** A TTY display that redraws its frame in place. */
export class LiveDisplay implements WaitDisplay {
  readonly live = true;
  private drawn = 0;

  constructor(
    private readonly stream: OutStream,
    private readonly p: Paint,
    private readonly environment: string,
  ) {}

  update(r: RolloutView, now: number, deadline: number): void {
    const width = Math.max(20, (this.stream.columns || 100) - 1);
    const frame = progressFrame(r, now, deadline, this.p, this.environment).map((l) => (visibleText(l).length > width ? visibleText(l).slice(0, width) : l));
    const up = this.drawn > 0 ? `\u001b[${this.drawn}F\u001b[0J` : '';
    this.stream.write(`${up}${frame.join('\n')}\n`);
    this.drawn = frame.length;
  }

  warn(text: string): void {
    this.stream.write(`${this.p.yellow('warning:')} ${text}\n`);
    this.drawn = 0;
  }

  finish(): void {}
}

/** The log line of a rollout state, for pipes and CI logs. */
export function logLine(r: RolloutView, now: number): string {
  const v = r.lastVerdict;
  const n = v && 'numbers' in v ? v.numbers : undefined;
  let health = `verdict ${verdictHeadline(v)}`;
  if (n) {
    health += ` [${r.variant}: err ${pct(n.errorRate)} p95 ${ms(n.p95Ms)} p99 ${ms(n.p99Ms)} n=${count(n.samples)}`;
    if (n.baseline)
      health += `; baseline: err ${pct(n.baseline.errorRate)} p95 ${ms(n.baseline.p95Ms)} p99 ${ms(n.baseline.p99Ms)} n=${count(n.baseline.samples)}`;
    health += ']';
  }
  return `${isoSeconds(now)} ${r.flag} ${r.status} ${r.percent}% stage ${r.stageIndex + 1}/${r.plan.stages.length} ${health}${r.lastDecision ? ` — ${r.lastDecision}` : ''}`;
}

/** A display for pipes: a plain log line whenever the rollout changes. */
export class PlainDisplay implements WaitDisplay {
  readonly live = false;
  private lastKey = '';

  constructor(private readonly stream: OutStream) {}

  update(r: RolloutView, now: number): void {
    const key = JSON.stringify([r.status, r.stageIndex, r.percent, r.lastVerdict, r.lastDecision]);
    if (key === this.lastKey) return;
    this.lastKey = key;
    this.stream.write(`${logLine(r, now)}\n`);
  }

  warn(text: string): void {
    this.stream.write(`warning: ${text}\n`);
  }

  finish(): void {}
}

/** Shows nothing (for --json). */
export const silentDisplay: WaitDisplay = { live: false, update() {}, warn() {}, finish() {} };
