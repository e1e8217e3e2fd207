/** Which operators the differential test's flag sets cover, and the flag sets built from the probes. */
import { contextIndependent, evaluators, PROBE_VARIANTS, probes, v } from './probe-flags';

/** The operators of flagd's targeting schema (flagd-schema targeting.json), and sem_ver's comparisons. */
// prettier-ignore
export const SCHEMA_OPERATORS = [
  'var', 'missing', 'missing_some', 'if', '?:', '==', '===', '!=', '!==', '!', '!!', 'or', 'and', '<', '<=', '>', '>=',
  'max', 'min', '+', '-', '*', '/', '%', 'map', 'filter', 'reduce', 'all', 'some', 'none', 'merge', 'in', 'cat', 'substr',
  'fractional', 'sem_ver', 'starts_with', 'ends_with', '$ref',
];
export const SEM_VER_OPERATORS = ['=', '!=', '<', '<=', '>', '>=', '^', '~'];

/** Every operator name used in a rule, and every constant operator of its sem_ver calls. */
export function operatorsIn(node: unknown, ops = new Set<string>(), semVerOps = new Set<string>()): [Set<string>, Set<string>] {
  if (Array.isArray(node)) for (const item of node) operatorsIn(item, ops, semVerOps);
  else if (node && typeof node === 'object') {
    for (const [op, args] of Object.entries(node)) {
      ops.add(op);
      if (op === 'sem_ver' && Array.isArray(args) && typeof args[1] === 'string') semVerOps.add(args[1]);
      operatorsIn(args, ops, semVerOps);
    }
  }
  return [ops, semVerOps];
}

export function probeFlags(rules: Record<string, unknown>): Record<string, unknown> {
  const flags: Record<string, unknown> = {};
  let i = 0;
  for (const [key, targeting] of Object.entries(rules)) {
    // Every third probe is a code-default flag, so that null results give the bare DEFAULT.
    const codeDefault = i++ % 3 === 2;
    flags[key] = {
      state: 'ENABLED',
      variants: PROBE_VARIANTS,
      ...(codeDefault ? {} : { defaultVariant: 'dflt' }),
      targeting,
    };
  }
  return flags;
}

export function operatorFlagSet(): unknown {
  const flags = probeFlags(probes);
  // flagd-core reads an empty defaultVariant as none, even with a variant named "".
  flags['empty-default-variant'] = { state: 'ENABLED', variants: PROBE_VARIANTS, defaultVariant: '', targeting: v('tier') };
  return { flags, $evaluators: evaluators, metadata: { set: 'differential' } };
}

export function contextIndependentFlagSet(): unknown {
  const flags = probeFlags(contextIndependent);
  flags['static-probe'] = { state: 'ENABLED', variants: PROBE_VARIANTS, defaultVariant: 'a' };
  flags['disabled-probe'] = { state: 'DISABLED', variants: PROBE_VARIANTS, defaultVariant: 'a', targeting: v('x') };
  flags['empty-default-variant-static'] = { state: 'ENABLED', variants: PROBE_VARIANTS, defaultVariant: '' };
  flags['empty-targeting'] = { state: 'ENABLED', variants: PROBE_VARIANTS, defaultVariant: 'b', targeting: {} };
  return { flags, $evaluators: evaluators, metadata: { set: 'context-independent' } };
}

// ---------------------------------------------------------------------------------------------
// Context generator: deterministic (mulberry32), ASCII only.
// ---------------------------------------------------------------------------------------------
