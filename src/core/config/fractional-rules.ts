import { isPlainObject } from '../json';
import { pointerSegment } from '../json-pointer';
import type { ConfigIssue } from './issues';

/** flagd refuses a bucket list whose weights sum above int32 (it evaluates to null, every time). */
export const MAX_FRACTIONAL_WEIGHT = 2_147_483_647;

/**
 * Static checks of every `fractional` in a rule, for what flagd accepts silently and then
 * evaluates to the default on every request, or quietly clamps:
 * literal weights that are negative (clamped to 0), not integers or above int32 (the rule yields
 * null), sums above int32, malformed bucket entries, and, where the fractional's result is the
 * rule's result (`variants` given), literal bucket names that are not variants of the flag.
 * Computed weights and names (expressions) are left to evaluation: a rollout formula may well
 * compute a negative weight, which flagd clamps on purpose.
 */
export function fractionalIssues(rule: unknown, variants: Readonly<Record<string, unknown>> | null, at: string): ConfigIssue[] {
  const issues: ConfigIssue[] = [];
  const visit = (node: unknown, path: string, isResult: boolean): void => {
    if (Array.isArray(node)) {
      node.forEach((item, i) => visit(item, `${path}/${i}`, false));
      return;
    }
    if (!isPlainObject(node)) return;
    for (const [op, args] of Object.entries(node)) {
      const opPath = `${path}/${pointerSegment(op)}`;
      if (op === 'fractional') checkFractional(issues, args, opPath, isResult ? variants : null);
      if ((op === 'if' || op === '?:') && Array.isArray(args)) {
        args.forEach((arg, i) => visit(arg, `${opPath}/${i}`, isResult && (i % 2 === 1 || i === args.length - 1)));
      } else {
        visit(args, opPath, false);
      }
    }
  };
  visit(rule, at, true);
  return issues;
}

function checkFractional(issues: ConfigIssue[], args: unknown, at: string, variants: Readonly<Record<string, unknown>> | null): void {
  if (!Array.isArray(args)) return;
  let total = 0;
  args.forEach((entry, i) => {
    const path = `${at}/${i}`;
    // The first argument is the bucketing key unless it is itself a bucket.
    if (i === 0 && !Array.isArray(entry)) return;
    if (!Array.isArray(entry)) {
      if (entry === null || typeof entry !== 'object')
        issues.push({ path, message: 'a fractional bucket is [variant, weight] or [variant]; this one makes the rule evaluate to the default every time' });
      return;
    }
    if (entry.length === 0 || entry.length > 2) {
      issues.push({ path, message: `a fractional bucket is [variant, weight] or [variant], not ${entry.length} items` });
      return;
    }
    const [name, weight] = entry as [unknown, unknown];
    if (typeof name === 'string' && variants !== null && !Object.hasOwn(variants, name)) {
      issues.push({ path: `${path}/0`, message: `"${name}" is not a variant of this flag (known: ${Object.keys(variants).join(', ')})` });
    }
    if (entry.length === 1) total += 1;
    else if (typeof weight === 'number') {
      if (!Number.isInteger(weight))
        issues.push({ path: `${path}/1`, message: `weights are integers, not ${weight} (flagd evaluates the rule to the default every time)` });
      else if (weight < 0) issues.push({ path: `${path}/1`, message: `weights are not negative, got ${weight} (flagd counts it as 0)` });
      else if (weight > MAX_FRACTIONAL_WEIGHT) issues.push({ path: `${path}/1`, message: `weights are at most ${MAX_FRACTIONAL_WEIGHT}, got ${weight}` });
      else total += weight;
    } else if (weight === null || typeof weight !== 'object') {
      issues.push({ path: `${path}/1`, message: 'a weight is an integer (or an expression computing one)' });
    }
  });
  if (total > MAX_FRACTIONAL_WEIGHT)
    issues.push({ path: at, message: `the weights sum to ${total}, above ${MAX_FRACTIONAL_WEIGHT} (flagd evaluates the rule to the default every time)` });
}
