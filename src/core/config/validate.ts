import { firstProtoKey, firstTooDeep, MAX_JSON_DEPTH } from '../json-depth';
import { compileLogic } from '../logic/compile';
import { truthy } from '../logic/truthy';
import { LogicCompileError } from '../logic/types';
import type { JsonValue } from '../json';
import { CONFIG_BOUNDS, type FlagOverlay, zRollgateConfig, type RollgateConfig } from '../schema/config';
import type { FlagdFlag } from '../schema/flag';
import { environmentsOf } from './environments';
import { fractionalIssues } from './fractional-rules';
import { metricsSourceIssues } from './metrics-source-rules';
import { notificationIssues } from './notification-rules';
import { pointer } from '../json-pointer';
import { type ConfigIssue, fromZod } from './issues';
import { publicUrlProblem } from './public-url';
import { resolveFlag } from './resolve-environment';

/** The outcome of validating a config document: every error and warning, each with its JSON path. */
export type ValidationResult =
  { ok: true; config: RollgateConfig; errors: []; warnings: ConfigIssue[] } | { ok: false; config?: undefined; errors: ConfigIssue[]; warnings: ConfigIssue[] };

/**
 * Validates a config document: its shape first (nesting depth, no `__proto__` keys), then the
 * schema, then the semantic rules (default variants exist, variants share a type, targeting and
 * `$ref`s compile, fractional buckets are sound, overlays name known environments, health checks
 * call public http(s) URLs, notifications https ones), checked for the base flag and for every environment's resolved flag.
 */
export function validateConfig(input: unknown): ValidationResult {
  const shape = shapeIssue(input);
  if (shape) return { ok: false, errors: [shape], warnings: [] };
  const parsed = zRollgateConfig.safeParse(input);
  if (!parsed.success) return withOtherFlagsChecked(input, parsed.error.issues, fromZod(parsed.error));
  const config = parsed.data;
  const errors: ConfigIssue[] = [];
  const warnings: ConfigIssue[] = [];
  const environments = environmentsOf(config);
  const envNames = new Set<string>();
  environments.forEach((env, i) => {
    if (envNames.has(env.name)) errors.push({ path: pointer('environments', i), message: `duplicate environment "${env.name}"` });
    envNames.add(env.name);
  });
  (config.environments ?? []).forEach((spec, i) => {
    if (typeof spec === 'string') return;
    const checks = spec.healthChecks ?? [];
    if (checks.length > CONFIG_BOUNDS.healthChecks)
      errors.push({ path: pointer('environments', i, 'healthChecks'), message: `at most ${CONFIG_BOUNDS.healthChecks} health checks per environment` });
    checks.forEach((check, j) => {
      if (check.name.length > CONFIG_BOUNDS.healthCheckNameChars)
        errors.push({ path: pointer('environments', i, 'healthChecks', j, 'name'), message: `at most ${CONFIG_BOUNDS.healthCheckNameChars} characters` });
      if (check.url.length > CONFIG_BOUNDS.healthCheckUrlChars)
        errors.push({ path: pointer('environments', i, 'healthChecks', j, 'url'), message: `at most ${CONFIG_BOUNDS.healthCheckUrlChars} characters` });
      const problem = publicUrlProblem(check.url);
      if (problem) errors.push({ path: pointer('environments', i, 'healthChecks', j, 'url'), message: `health checks call public http(s) URLs: ${problem}` });
    });
    errors.push(...notificationIssues(spec, i));
    errors.push(...metricsSourceIssues(spec, i));
  });
  for (const key of Object.keys(config.flags)) {
    if (key.length > CONFIG_BOUNDS.flagKeyChars)
      errors.push({ path: pointer('flags', key), message: `flag keys are at most ${CONFIG_BOUNDS.flagKeyChars} characters` });
  }

  const evaluators = config.$evaluators ?? {};
  for (const [name, rule] of Object.entries(evaluators)) {
    compileInto(errors, rule, evaluators, pointer('$evaluators', name));
    errors.push(...fractionalIssues(rule, null, pointer('$evaluators', name)));
  }

  for (const [key, flag] of Object.entries(config.flags)) {
    const base = pointer('flags', key);
    const baseIssues = checkFlag(key, resolveFlag(flag, ''), evaluators, base, base);
    errors.push(...baseIssues.errors);
    warnings.push(...baseIssues.warnings);
    for (const [env, overlay] of Object.entries(flag.environments ?? {})) {
      const at = pointer('flags', key, 'environments', env);
      if (!envNames.has(env)) {
        errors.push({ path: at, message: `unknown environment "${env}"; known: ${[...envNames].join(', ')}` });
        continue;
      }
      const envIssues = checkFlag(key, resolveFlag(flag, env), evaluators, base, at);
      errors.push(...inOverlay(envIssues.errors, baseIssues.errors, overlay, base, at));
      warnings.push(...inOverlay(envIssues.warnings, baseIssues.warnings, overlay, base, at));
    }
  }
  const unique = (list: ConfigIssue[]) => [...new Map(list.map((i) => [`${i.path}\u0000${i.message}`, i])).values()];
  if (errors.length > 0) return { ok: false, errors: unique(errors), warnings: unique(warnings) };
  return { ok: true, config, errors: [], warnings: unique(warnings) };
}

/**
 * A document the schema refused: its schema errors, and the semantic errors and warnings of every
 * flag the schema accepted (the refused flags are left out and the rest validated), so one run
 * reports both kinds. An error outside a flag (environments, evaluators, the top level) leaves
 * nothing sound to check the flags against: then the schema errors alone.
 */
function withOtherFlagsChecked(input: unknown, issues: readonly { path: readonly PropertyKey[] }[], schemaErrors: ConfigIssue[]): ValidationResult {
  const refused = new Set<string>();
  for (const { path } of issues) {
    const [top, key] = path;
    if (top !== 'flags' || typeof key !== 'string' || path.length < 2) return { ok: false, errors: schemaErrors, warnings: [] };
    refused.add(key);
  }
  const doc = input as { flags: Record<string, unknown> };
  const rest = validateConfig({ ...doc, flags: Object.fromEntries(Object.entries(doc.flags).filter(([key]) => !refused.has(key))) });
  return { ok: false, errors: [...schemaErrors, ...rest.errors], warnings: rest.warnings };
}

function checkFlag(
  key: string,
  flag: FlagdFlag,
  evaluators: Readonly<Record<string, unknown>>,
  basePath: string,
  at: string,
): { errors: ConfigIssue[]; warnings: ConfigIssue[] } {
  const errors: ConfigIssue[] = [];
  const warnings: ConfigIssue[] = [];
  const variants = Object.keys(flag.variants);
  const dv = flag.defaultVariant;
  if (dv !== undefined && dv !== null && !Object.hasOwn(flag.variants, dv)) {
    errors.push({ path: `${at}/defaultVariant`, message: `default variant "${dv}" is not one of: ${variants.join(', ')}` });
  }
  const types = new Set(variants.map((v) => kindOf(flag.variants[v]!)));
  if (types.size > 1) {
    errors.push({ path: `${at}/variants`, message: `variants must share one type, found ${[...types].sort().join(' and ')}` });
  }
  if (flag.targeting && Object.keys(flag.targeting).length > 0) {
    compileInto(errors, flag.targeting, evaluators, `${at}/targeting`, key);
    errors.push(...fractionalIssues(flag.targeting, flag.variants, `${at}/targeting`));
    for (const name of literalVariantNames(flag.targeting)) {
      if (!Object.hasOwn(flag.variants, name)) {
        warnings.push({ path: `${at}/targeting`, message: `targeting can return "${name}", which is not a variant (evaluates to an error)` });
      }
    }
  }
  const category = flag.metadata?.['category'];
  if (category !== undefined && category !== 'critical' && category !== 'experimental') {
    errors.push({ path: `${basePath}/metadata/category`, message: `category must be "critical" or "experimental"` });
  }
  if (dv && flag.state === 'ENABLED') {
    const value = Object.hasOwn(flag.variants, dv) ? flag.variants[dv] : undefined;
    if (category === 'experimental' && truthy(value)) {
      warnings.push({ path: `${at}/defaultVariant`, message: `experimental flag defaults to a truthy variant "${dv}"` });
    }
    if (category === 'critical' && !truthy(value)) {
      warnings.push({ path: `${at}/defaultVariant`, message: `critical flag defaults to a falsy variant "${dv}"` });
    }
  }
  return { errors, warnings };
}

/**
 * Locates the issues of an environment's resolved flag in the document. An issue about a field
 * the overlay sets stays under the overlay. One about a field it inherits is dropped when the base
 * flag has the same issue (already reported where it is written), else it is reported at the
 * overlay itself, since the overlay's own field does not exist.
 */
function inOverlay(issues: ConfigIssue[], baseIssues: ConfigIssue[], overlay: FlagOverlay, base: string, at: string): ConfigIssue[] {
  const out: ConfigIssue[] = [];
  for (const issue of issues) {
    if (!issue.path.startsWith(`${at}/`)) {
      out.push(issue);
      continue;
    }
    const rest = issue.path.slice(at.length);
    const field = rest.split('/')[1] as keyof FlagOverlay;
    if (overlay[field] !== undefined) out.push(issue);
    else if (!baseIssues.some((b) => b.path === `${base}${rest}` && b.message === issue.message)) {
      out.push({ path: at, message: issue.message });
    }
  }
  return out;
}

function compileInto(errors: ConfigIssue[], rule: unknown, evaluators: Readonly<Record<string, unknown>>, at: string, flagKey?: string): void {
  try {
    compileLogic(rule, {
      evaluators,
      ...(flagKey === undefined ? {} : { flagKey }),
      onDeferred: (message, path) =>
        errors.push({ path: path.startsWith('/$evaluators/') ? path : `${at}${path}`, message: `${message}: this rule fails on every evaluation` }),
    });
  } catch (err) {
    if (!(err instanceof LogicCompileError)) throw err;
    const path = err.path.startsWith('/$evaluators/') ? err.path : `${at}${err.path}`;
    errors.push({ path, message: err.message });
  }
}

/**
 * A document nested deeper than MAX_JSON_DEPTH, or with a `__proto__` key anywhere (zod and
 * spreads would turn it into a prototype or drop it), is refused before anything walks it
 * recursively; the depth check itself is iterative.
 */
function shapeIssue(input: unknown): ConfigIssue | null {
  const deep = firstTooDeep(input, MAX_JSON_DEPTH);
  if (deep !== null) return { path: deep, message: `nested deeper than ${MAX_JSON_DEPTH} levels (the most a config may nest)` };
  const proto = firstProtoKey(input);
  if (proto !== null) return { path: proto, message: '"__proto__" is reserved: it cannot name a flag, variant, evaluator, environment or any other key' };
  return null;
}

function kindOf(v: JsonValue): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'array';
  return typeof v;
}

/** String results an `if` can return directly; a cheap static check for typos in variant names. */
function literalVariantNames(rule: unknown): string[] {
  const out: string[] = [];
  const visit = (node: unknown): void => {
    if (typeof node !== 'object' || node === null || Array.isArray(node)) return;
    const args = (node as Record<string, unknown>)['if'] ?? (node as Record<string, unknown>)['?:'];
    if (!Array.isArray(args)) return;
    args.forEach((arg, i) => {
      const isResult = i % 2 === 1 || i === args.length - 1;
      if (isResult && typeof arg === 'string') out.push(arg);
      else visit(arg);
    });
  };
  visit(rule);
  return out;
}
