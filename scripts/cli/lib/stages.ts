import { stageErrors } from '../../../src/core/rollout/plan';
import { type HealthThresholds, type Stage, zHealthThresholds } from '../../../src/core/schema/rollout';
import * as z from '../../../src/core/schema/zod';
import { UsageError } from './errors';
import { didYouMean } from './suggest';

const UNITS: Record<string, number> = { s: 1, m: 60, h: 3600, d: 86400 };

/** Seconds from "3600", "90s", "30m", "2h", "1d" or "1h30m"; null when it is none of these. */
export function parseDuration(text: string): number | null {
  const t = text.trim();
  if (/^\d+$/.test(t)) return Number(t);
  if (!/^(\d+[smhd])+$/.test(t)) return null;
  let total = 0;
  for (const [, n, unit] of t.matchAll(/(\d+)([smhd])/g)) total += Number(n) * UNITS[unit!]!;
  return total;
}

/**
 * Parses `--stages 5:0,25:3600,100:7200`: percent:time pairs, the time after the start in seconds
 * or with a unit (30m, 2h, 1d). Checked with the Worker's own plan rules: start at once, percent
 * strictly increasing, time never going back, ending at 100.
 */
export function parseStages(spec: string, command = 'deploy'): Stage[] {
  const parts = spec.split(',').map((p) => p.trim());
  if (parts.length === 0 || parts.every((p) => p === '')) throw new UsageError('--stages is empty; e.g. --stages 5:0,25:1h,100:2h', command);
  const stages = parts.map((part, i) => {
    const m = /^([0-9]+(?:\.[0-9]+)?)%?:(.+)$/.exec(part);
    if (!m) throw new UsageError(`--stages: stage ${i + 1} ("${part}") is not percent:time, e.g. 25:3600 or 25:1h`, command);
    const percent = Number(m[1]);
    if (!(percent > 0 && percent <= 100)) throw new UsageError(`--stages: stage ${i + 1} ("${part}"): percent must be more than 0 and at most 100`, command);
    const afterSeconds = parseDuration(m[2]!);
    if (afterSeconds === null) {
      throw new UsageError(`--stages: stage ${i + 1} ("${part}"): the time must be seconds (3600) or a duration such as 90s, 30m, 2h, 1d`, command);
    }
    return { percent, afterSeconds };
  });
  const errors = stageErrors(stages);
  if (errors.length > 0) {
    const e = errors[0]!;
    const index = Number(/^\/stages\/(\d+)/.exec(e.path)?.[1] ?? 0);
    throw new UsageError(`--stages: stage ${index + 1} ("${parts[index]}"): ${e.message.replace('afterSeconds', 'time')}`, command);
  }
  return stages;
}

/** Describes a schedule: "5% now, 25% at +1h, 100% at +2h". */
export function describeStages(stages: readonly Stage[]): string {
  return stages.map((s) => `${s.percent}% ${s.afterSeconds === 0 ? 'now' : `at +${humanSeconds(s.afterSeconds)}`}`).join(', ');
}

/** Seconds in the largest units that divide them: 86400 → "1d", 5400 → "90m", 45 → "45s". */
export function humanSeconds(seconds: number): string {
  if (seconds === 0) return '0s';
  if (seconds % 86400 === 0) return `${seconds / 86400}d`;
  if (seconds % 3600 === 0) return `${seconds / 3600}h`;
  if (seconds % 60 === 0) return `${seconds / 60}m`;
  return `${seconds}s`;
}

const HEALTH_KEYS = Object.keys(zHealthThresholds.shape) as (keyof HealthThresholds)[];

/** Thresholds that take a word rather than a number (onEnvironmentWide=hold|rollback). */
const TEXT_KEYS: ReadonlySet<string> = new Set(['onEnvironmentWide']);

/** Parses `--health minSamples=20,maxErrorRate=0.02,onEnvironmentWide=rollback`: overrides of the rollout's health thresholds. */
export function parseHealth(spec: string, command = 'deploy'): Partial<HealthThresholds> {
  const out: Record<string, number | string> = {};
  for (const part of spec
    .split(',')
    .map((p) => p.trim())
    .filter(Boolean)) {
    const m = /^([A-Za-z0-9]+)=(.+)$/.exec(part);
    if (!m) throw new UsageError(`--health: "${part}" is not key=value`, command);
    const key = m[1]!;
    if (!(HEALTH_KEYS as string[]).includes(key))
      throw new UsageError(`--health: unknown key "${key}"${didYouMean(key, HEALTH_KEYS)}; known: ${HEALTH_KEYS.join(', ')}`, command);
    if (TEXT_KEYS.has(key)) {
      out[key] = m[2]!;
      continue;
    }
    const value = Number(m[2]);
    if (!Number.isFinite(value)) throw new UsageError(`--health: ${key} must be a number, not "${m[2]}"`, command);
    out[key] = value;
  }
  const parsed = z.partial(zHealthThresholds).safeParse(out);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new UsageError(`--health: ${String(issue.path[0])}: ${issue.message}`, command);
  }
  // zod's partial() still fills in defaults; send only what was given, the Worker adds the rest.
  return out;
}
