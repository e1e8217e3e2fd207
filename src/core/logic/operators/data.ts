import { constant, constantValue, isConstant } from '../compile';
import type { EvalState, OperatorCompiler } from '../types';
import { evaluatedArgs } from './evaluated-args';

const FLAGD = '$flagd';

/** Splits a `var` path on dots; `\.` escapes a dot, as json-logic-engine does. */
export function splitPath(path: string): string[] {
  const parts: string[] = [];
  let current = '';
  for (let i = 0; i < path.length; i++) {
    const ch = path[i];
    if (ch === '\\' && (path[i + 1] === '.' || path[i + 1] === '/' || path[i + 1] === '\\')) {
      current += path[++i];
    } else if (ch === '.') {
      parts.push(current);
      current = '';
    } else {
      current += ch;
    }
  }
  if (parts.length !== path.length) parts.push(current);
  return parts;
}

/** The root context with `$flagd` properties added, built once per evaluation on demand. */
export function enrichedRoot(st: EvalState): Record<string, unknown> {
  if (!st.enriched) {
    st.enriched = {
      ...(st.root as Record<string, unknown>),
      [FLAGD]: { flagKey: st.flagKey, timestamp: st.timestamp },
    };
  }
  return st.enriched;
}

function lookup(data: unknown, parts: readonly string[], st: EvalState, notFound: unknown): unknown {
  let cur = data;
  let i = 0;
  if (data === st.root && parts[0] === FLAGD) {
    cur = { flagKey: st.flagKey, timestamp: st.timestamp };
    i = 1;
  }
  for (; i < parts.length; i++) {
    if (cur === null || cur === undefined) return notFound;
    cur = (cur as Record<string, unknown>)[parts[i]!];
    if (cur === undefined) return notFound;
  }
  return cur;
}

function resolve(data: unknown, key: unknown, st: EvalState, notFound: unknown): unknown {
  if (key === undefined || key === null || key === '') return data === st.root ? enrichedRoot(st) : data;
  return lookup(data, splitPath(String(key)), st, notFound);
}

/** `var`: reads a dotted path from the current scope, with an optional default. */
const varOp: OperatorCompiler = (input) => {
  const raw = input.raw;
  const keyNode: unknown = Array.isArray(raw) ? raw[0] : raw;
  const defNode: unknown = Array.isArray(raw) ? raw[1] : undefined;
  const keyFn = input.compile(keyNode, 0);
  const defFn = defNode === undefined ? constant(null) : input.compile(defNode, 1);

  if (isConstant(keyFn) && isConstant(defFn)) {
    const key = constantValue(keyFn);
    const notFound = constantValue(defFn) ?? null;
    if (key === undefined || key === null || key === '') {
      return (d, st) => (d === st.root ? enrichedRoot(st) : d);
    }
    const parts = splitPath(String(key));
    if (input.flagKey !== undefined && parts.length === 2 && parts[0] === FLAGD && parts[1] === 'flagKey') {
      return constant(input.flagKey);
    }
    if (parts.length === 1 && parts[0] !== FLAGD) {
      const p = parts[0]!;
      return (d) => {
        if (d === null || d === undefined) return notFound;
        const v = (d as Record<string, unknown>)[p];
        return v === undefined ? notFound : v;
      };
    }
    return (d, st) => lookup(d, parts, st, notFound);
  }
  return (d, st) => resolve(d, keyFn(d, st), st, defFn(d, st) ?? null);
};

function missingOf(checked: unknown, d: unknown, st: EvalState): unknown[] {
  const list = checked as ArrayLike<unknown> | null | undefined;
  const out: unknown[] = [];
  if (!list || !list.length) return out;
  for (let i = 0; i < list.length; i++) {
    const parts = splitPath(String(list[i]));
    let cur = d === st.root && parts[0] === FLAGD ? enrichedRoot(st) : d;
    let found = true;
    for (const p of parts) {
      if (!cur) {
        found = false;
        break;
      }
      cur = (cur as Record<string, unknown>)[p];
      if (cur === undefined) {
        found = false;
        break;
      }
    }
    if (!found) out.push(list[i]);
  }
  return out;
}

/** `missing`: the keys among its arguments that are absent from the scope. */
const missingOp: OperatorCompiler = (input) => {
  const args = evaluatedArgs(input);
  return (d, st) => missingOf(args(d, st), d, st);
};

/** `missing_some`: `[] ` when at least `need` of the keys are present, else the missing ones. */
const missingSomeOp: OperatorCompiler = (input) => {
  const args = evaluatedArgs(input);
  return (d, st) => {
    const [need, options] = args(d, st) as [number, unknown[]];
    const missing = missingOf(options, d, st);
    return (options?.length ?? 0) - missing.length >= need ? [] : missing;
  };
};

export const dataOperators: Record<string, OperatorCompiler> = {
  var: varOp,
  missing: missingOp,
  missing_some: missingSomeOp,
};
