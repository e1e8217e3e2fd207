/**
 * Answer checks run before any timing: a benchmark that compares two evaluators which disagree
 * would be timing different work, so any mismatch aborts the benchmark loudly.
 */
import { isDeepStrictEqual } from 'node:util';
import type { Resolution } from '../../src/core/flags/resolution';

/** The parts of an evaluation both sides must agree on. */
export interface Answer {
  value: unknown;
  variant: string | undefined;
  reason: string;
  errorCode: string | undefined;
}

export type FlagType = 'boolean' | 'string' | 'number' | 'object';

/**
 * Our resolution as flagd-core's typed `resolve*Evaluation` would present it: errors and
 * value-less resolutions take the caller's fallback, a wrong type is TYPE_MISMATCH.
 */
export function oursTyped(r: Resolution, type: FlagType, fallback: unknown): Answer {
  if (r.errorCode) return { value: fallback, variant: undefined, reason: 'ERROR', errorCode: r.errorCode };
  if (r.value === undefined) return { value: fallback, variant: undefined, reason: r.reason, errorCode: undefined };
  if (typeof r.value !== type) return { value: fallback, variant: undefined, reason: 'ERROR', errorCode: 'TYPE_MISMATCH' };
  return { value: r.value, variant: r.variant, reason: r.reason, errorCode: undefined };
}

/** Our resolution as is (bulk evaluation has no fallback or type). */
export function oursRaw(r: Resolution): Answer {
  return { value: r.value, variant: r.variant, reason: r.reason, errorCode: r.errorCode };
}

/** flagd-core's ResolutionDetails / EvaluationDetails. */
export function theirs(d: { value: unknown; variant?: string; reason?: string; errorCode?: string }): Answer {
  return { value: d.value, variant: d.variant, reason: d.reason ?? '', errorCode: d.errorCode };
}

/** Collects comparisons for one case, counts outcomes, and throws on the first batch of mismatches. */
export class AnswerCheck {
  private readonly mismatches: string[] = [];
  private readonly outcomes = new Map<string, number>();
  private compared = 0;

  /** `reasonMap` translates our reasons into flagd's where they are named differently on purpose. */
  constructor(
    readonly label: string,
    private readonly reasonMap: Readonly<Record<string, string>> = {},
  ) {}

  /** Records a disagreement that is not a value comparison (a flag only one side returned). */
  fail(where: string, message: string): void {
    this.compared++;
    this.mismatches.push(this.mismatches.length < 8 ? `  ${where}: ${message}` : '');
  }

  add(where: string, ours: Answer, ref: Answer): void {
    this.compared++;
    const mapped = { ...ours, reason: this.reasonMap[ours.reason] ?? ours.reason };
    const same =
      isDeepStrictEqual(mapped.value, ref.value) &&
      mapped.variant === ref.variant &&
      mapped.reason === ref.reason &&
      (mapped.errorCode ?? '') === (ref.errorCode ?? '');
    if (!same && this.mismatches.length < 8) {
      this.mismatches.push(`  ${where}: ours ${JSON.stringify(ours)} vs flagd-core ${JSON.stringify(ref)}`);
    } else if (!same) {
      this.mismatches.push('');
    }
    const key = `${ours.reason}${ours.variant === undefined ? '' : `:${ours.variant}`}`;
    this.outcomes.set(key, (this.outcomes.get(key) ?? 0) + 1);
  }

  /** Throws unless everything matched; returns a one-line summary for the table notes. */
  assert(): string {
    if (this.mismatches.length > 0) {
      const shown = this.mismatches.filter(Boolean);
      throw new Error(`ANSWER MISMATCH in ${this.label}: ${this.mismatches.length} of ${this.compared} evaluations differ\n${shown.join('\n')}`);
    }
    if (this.compared === 0) throw new Error(`ANSWER CHECK in ${this.label} compared nothing`);
    return `${this.label}: ${this.compared.toLocaleString('en-US')} answers identical (${this.summary()})`;
  }

  /** The outcome mix, so a reader can see the inputs exercise more than one branch. */
  summary(): string {
    const entries = [...this.outcomes.entries()].sort((a, b) => b[1] - a[1]);
    const shown = entries.slice(0, 6).map(([k, n]) => `${k} ${((100 * n) / this.compared).toFixed(1)} %`);
    if (entries.length > 6) shown.push(`+${entries.length - 6} more`);
    return shown.join(', ');
  }
}
