import type { EnvironmentSpec, RollgateConfig } from '../schema/config';
import { METRICS_SOURCE_BOUNDS, type MetricsSource, QUERY_PLACEHOLDERS } from '../schema/metrics-source';
import { pointer } from '../json-pointer';
import type { ConfigIssue } from './issues';
import { webhookUrlProblem } from './public-url';

const PLACEHOLDER = /\{\{\s*([A-Za-z_]*)\s*\}\}/g;

/** Why a query template cannot be used, or null: unknown placeholders, a missing required one, unbalanced brackets. */
export function queryTemplateProblem(template: string): string | null {
  const seen = new Set<string>();
  for (const m of template.matchAll(PLACEHOLDER)) {
    const name = m[1]!;
    if (!(QUERY_PLACEHOLDERS as readonly string[]).includes(name))
      return `unknown placeholder {{${name}}}; known: ${QUERY_PLACEHOLDERS.map((p) => `{{${p}}}`).join(', ')}`;
    seen.add(name);
  }
  const rest = template.replace(PLACEHOLDER, '');
  if (rest.includes('{{') || rest.includes('}}')) return 'a placeholder is not closed: write {{flag}}, {{variant}} or {{window}}';
  for (const required of ['variant', 'window']) if (!seen.has(required)) return `the query must use {{${required}}}`;
  const pairs: Record<string, string> = { ')': '(', ']': '[', '}': '{' };
  const stack: string[] = [];
  let quoted: string | null = null;
  for (let i = 0; i < rest.length; i++) {
    const c = rest[i]!;
    if (quoted) {
      if (c === '\\') i++;
      else if (c === quoted) quoted = null;
      continue;
    }
    if (c === '"' || c === "'" || c === '`') quoted = c;
    else if (c === '(' || c === '[' || c === '{') stack.push(c);
    else if (c in pairs && stack.pop() !== pairs[c]) return `unbalanced "${c}"`;
  }
  if (quoted) return 'a string is not closed';
  if (stack.length > 0) return `unbalanced "${stack.at(-1)}"`;
  return null;
}

/** The rules of an environment's metrics source beyond its schema: a URL it may call, usable templates. */
export function metricsSourceIssues(spec: Exclude<EnvironmentSpec, string>, index: number): ConfigIssue[] {
  const m = spec.metrics;
  if (!m || m.source !== 'prometheus') return [];
  const issues: ConfigIssue[] = [];
  const at = (...path: Array<string | number>) => pointer('environments', index, 'metrics', ...path);
  const problem = webhookUrlProblem(m.url);
  if (problem) issues.push({ path: at('url'), message: `a metrics source is an https URL of a public host (or http to loopback): ${problem}` });
  if (Object.keys(m.headers ?? {}).length > METRICS_SOURCE_BOUNDS.headers)
    issues.push({ path: at('headers'), message: `at most ${METRICS_SOURCE_BOUNDS.headers} headers` });
  for (const [name, template] of Object.entries(m.queries)) {
    if (template === undefined) continue;
    const bad = queryTemplateProblem(template);
    if (bad) issues.push({ path: at('queries', name), message: bad });
  }
  return issues;
}

/** The metrics source of one environment of a config: `reports` unless the environment names another. */
export function metricsSourceOf(config: Pick<RollgateConfig, 'environments'> | undefined, environment: string): MetricsSource {
  for (const spec of config?.environments ?? []) {
    if (typeof spec !== 'string' && spec.name === environment && spec.metrics) return spec.metrics;
  }
  return { source: 'reports' };
}
