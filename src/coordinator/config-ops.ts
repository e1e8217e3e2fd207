import { diffConfigs, sameJson } from '../core/config/diff';
import { environmentOf } from '../core/config/environments';
import { validateConfig } from '../core/config/validate';
import type { RollgateConfig } from '../core/schema/config';
import { MAX_REASON_CHARS } from '../core/schema/rollout';
import { fail, ok, type Outcome } from './outcome';
import { isProtected, unconfirmed } from './protection';
import { rolloutConflicts } from './rollout-conflicts';
import { commit, type CoordinatorState } from './state';

/** A config write as the admin API passes it. */
export interface ConfigWrite {
  document: unknown;
  /** The version the writer based its change on (If-Match); null to skip the check. */
  ifMatch: number | null;
  actor: string;
  reason: string | null;
  /** X-Rollgate-Confirm named this environment. */
  confirmed: boolean;
}

/** What a write answers: the version now current, and whether it changed. */
export interface ConfigWriteResult {
  version: number;
  changed: boolean;
  warnings: { path: string; message: string }[];
}

/** Validates and commits a whole config document as a new version (or no-op when identical). */
export function writeConfig(s: CoordinatorState, w: ConfigWrite, now: number, action = 'config.put'): Outcome<ConfigWriteResult> {
  const checked = checkWrite(s, w);
  if (!checked.ok) return checked;
  const { config, warnings } = checked.value;
  const current = s.configs.latest();
  if (current && sameJson(current.config, config)) return ok({ version: current.version, changed: false, warnings });
  const changes = diffConfigs(current?.config ?? null, config);
  const version = commit(s, () => {
    const v = s.configs.append(config, now, w.actor, w.reason);
    s.audit.append(now, {
      actor: w.actor,
      action,
      target: `config v${v.version}`,
      flags: changes.filter((c) => !c.target.startsWith('/')).map((c) => c.target),
      reason: w.reason,
      diff: { fromVersion: current?.version ?? null, toVersion: v.version, changes },
    });
    return { result: v.version, dirty: true };
  });
  return ok({ version, changed: true, warnings });
}

/** The checks of a write that change nothing: schema and semantics, environment, If-Match, confirmation, rollouts. */
function checkWrite(s: CoordinatorState, w: ConfigWrite): Outcome<{ config: RollgateConfig; warnings: { path: string; message: string }[] }> {
  const env = s.environment();
  if (w.reason !== null && w.reason.length > MAX_REASON_CHARS) {
    return fail(422, 'validation_failed', `the reason (X-Rollgate-Reason) is longer than ${MAX_REASON_CHARS} characters`, {
      errors: [{ path: '/reason', message: `at most ${MAX_REASON_CHARS} characters` }],
    });
  }
  const result = validateConfig(w.document);
  if (!result.ok) return fail(422, 'validation_failed', 'the config is invalid', { errors: result.errors, warnings: result.warnings });
  const config = result.config;
  if (!environmentOf(config, env)) {
    return fail(422, 'validation_failed', `the config does not describe environment "${env}"`, {
      errors: [{ path: '/environments', message: `"${env}" is not listed` }],
      warnings: result.warnings,
    });
  }
  const current = s.configs.latest();
  const currentVersion = current?.version ?? 0;
  if (w.ifMatch !== null && w.ifMatch !== currentVersion) {
    return fail(412, 'precondition_failed', `the config changed since version ${w.ifMatch}; the current version is ${currentVersion}`, { currentVersion });
  }
  if (!w.confirmed && (isProtected(current?.config ?? null, env) || isProtected(config, env))) {
    return unconfirmed(env);
  }
  const conflicts = rolloutConflicts(config, env, s.rollouts.active());
  if (conflicts.length > 0) return fail(409, 'rollout_conflict', conflicts.map((c) => c.problem).join('; '), { conflicts });
  return ok({ config, warnings: result.warnings });
}

/** The dry run of a write: errors, warnings and the per-flag diff against the current config. */
export function dryRun(s: CoordinatorState, document: unknown): { valid: boolean; errors: unknown[]; warnings: unknown[]; diff: unknown[] } {
  const result = validateConfig(document);
  if (!result.ok) return { valid: false, errors: result.errors, warnings: result.warnings, diff: [] };
  const env = s.environment();
  const errors: unknown[] = [];
  if (!environmentOf(result.config, env)) errors.push({ path: '/environments', message: `"${env}" is not listed` });
  for (const c of rolloutConflicts(result.config, env, s.rollouts.active())) errors.push({ path: `/flags/${c.flag}`, message: c.problem });
  return { valid: errors.length === 0, errors, warnings: result.warnings, diff: diffConfigs(s.configs.latest()?.config ?? null, result.config) };
}
