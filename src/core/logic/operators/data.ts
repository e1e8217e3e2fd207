import { isConstant, constantValue } from '../compile';
import { type Compiled, type EvalState, LogicRuntimeError, type OperatorCompiler, type OperatorInput } from '../types';
import { argList } from './evaluated-args';

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
    st.enriched = { ...(st.root as Record<string, unknown>), [FLAGD]: flagdProperties(st) };
  }
  return st.enriched;
}

function flagdProperties(st: EvalState): Record<string, unknown> {
  return { flagKey: st.flagKey, timestamp: st.timestamp };
}

/** `data[key]`, where the root's `$flagd` is flagd's enrichment (which overrides the caller's). */
function get(d: unknown, st: EvalState, key: PropertyKey): unknown {
  if (d === st.root && key === FLAGD) return flagdProperties(st);
  return own(d, key);
}

/**
 * `d[key]` when it is an own property of `d`; a property found only through the prototype reads
 * as null. Contexts are JSON, where every inherited property is a function ("constructor",
 * "toString", a string's "toUpperCase") except Object.prototype's `__proto__` accessor, and no
 * own property is a function: so a function means "inherited" (null, as json-logic-engine
 * answers too, but without walking on into it: the engine gives "Object" for "constructor.name"),
 * and only `__proto__` needs the own-property check. This keeps the hot path to one typeof.
 */
function own(d: unknown, key: PropertyKey): unknown {
  const v = (d as Record<PropertyKey, unknown>)[key];
  if (typeof v === 'function') return null;
  if (key === PROTO && v !== undefined && !Object.hasOwn(d as object, key)) return null;
  return v;
}

const PROTO = '__proto__';

/** `$flagd.<field>` without allocating the enrichment object. */
function flagdField(st: EvalState, field: string): unknown {
  if (field === 'flagKey') return st.flagKey;
  if (field === 'timestamp') return st.timestamp;
  return own(flagdProperties(st), field);
}

/** Functions reached through prototypes (`"email.toString"`) read as null, as in the engine. */
const noFunction = (v: unknown): unknown => (typeof v === 'function' ? null : v);

/** The whole current scope: the enriched context at the root, else the element. */
function whole(d: unknown, st: EvalState): unknown {
  const v = d === st.root ? enrichedRoot(st) : d;
  return v === null || v === undefined ? null : noFunction(v);
}

/** json-logic-engine's `var` method: `[key, default]` or a key, walked as a dotted path. */
function varMethod(d: unknown, st: EvalState, args: unknown): unknown {
  let key = args;
  let notFound: unknown = null;
  if (Array.isArray(args)) {
    key = args[0];
    if (args[1] !== undefined) notFound = args[1];
  }
  if (key === undefined || key === null || key === '') return noFunction(d === st.root ? enrichedRoot(st) : d);
  // eslint-disable-next-line @typescript-eslint/no-base-to-string -- JsonLogic reads a path by String() of the key, whatever its type, as json-logic-js and flagd do
  return walk(d, st, splitPath(String(key)), notFound);
}

function walk(d: unknown, st: EvalState, parts: readonly string[], notFound: unknown): unknown {
  let cur = d;
  for (const p of parts) {
    if (cur === null || cur === undefined) return notFound;
    cur = get(cur, st, p);
    if (cur === undefined) return notFound;
  }
  return noFunction(cur);
}

/**
 * A `var` whose key is known while compiling takes the engine's fast paths, which differ from its
 * method: a falsy key reads the whole scope, a key without dots one property, and a two- or
 * three-part path stops at the first falsy step and returns that value (`user` = 0 gives 0).
 */
function literalKey(key: unknown, input: OperatorInput): Compiled {
  if (!key) return whole;
  if (typeof key === 'object' && !Array.isArray(key)) return input.defer('"var" key is an object');
  if (key === true) return input.defer('"var" key is true');
  const text = key as string;
  if (typeof key === 'number' || (!text.includes('.') && !text.includes('\\'))) {
    // eslint-disable-next-line @typescript-eslint/no-base-to-string -- JsonLogic reads a path by String() of the key, whatever its type, as json-logic-js and flagd do
    const k = String(key);
    return (d, st) => {
      if (!d) return null;
      const v = get(d, st, k);
      return v === undefined ? null : noFunction(v);
    };
  }
  if (Array.isArray(key)) return input.defer('"var" key is an array with a dot');
  const parts = splitPath(text);
  // The engine's parent-scope paths ("../key" in an iterator body) are not in flagd's schema and
  // not supported; such a path is walked as written, which is what the engine does at the root.
  if (text.startsWith('../')) return (d, st) => walk(d, st, parts, null);
  if (parts.length === 2) {
    const [a, b] = parts as [string, string];
    return (d, st) => {
      if (a === FLAGD && d === st.root) return settle(flagdField(st, b));
      const x = d && get(d, st, a);
      return settle(x && own(x, b));
    };
  }
  if (parts.length === 3) {
    const [a, b, c] = parts as [string, string, string];
    return (d, st) => {
      const x = d && get(d, st, a);
      const y = x && own(x, b);
      return settle(y && own(y, c));
    };
  }
  return (d, st) => walk(d, st, parts, null);
}

const settle = (v: unknown): unknown => (v === undefined ? null : noFunction(v));

/** `var`: reads a path from the current scope, with an optional default. */
const varOp: OperatorCompiler = (input) => {
  const raw = input.raw;
  const unary = !Array.isArray(raw) || (raw.length === 1 && !Array.isArray(raw[0]));
  if (!unary) {
    const args = input.compileArgs();
    if (args.every(isConstant)) {
      const [key, fallback] = args.map(constantValue);
      const notFound = fallback === undefined ? null : fallback;
      if (key !== undefined && key !== null && key !== '') {
        // eslint-disable-next-line @typescript-eslint/no-base-to-string -- JsonLogic reads a path by String() of the key, whatever its type, as json-logic-js and flagd do
        const parts = splitPath(String(key));
        return (d, st) => walk(d, st, parts, notFound);
      }
    }
    return (d, st) =>
      varMethod(
        d,
        st,
        args.map((a) => a(d, st)),
      );
  }
  const key = input.compileArgs()[0]!;
  if (isConstant(key)) return literalKey(constantValue(key), input);
  return (d, st) => varMethod(d, st, key(d, st));
};

/** json-logic-engine's `missing`: the keys (dotted paths) of an array-like that are absent from the scope. */
function missingOf(checked: unknown, d: unknown, st: EvalState): unknown[] {
  // The engine reads `checked.length` and so fails on null (missing_some with no key list).
  if (checked === null || checked === undefined) throw new LogicRuntimeError('"missing" needs a list of keys');
  const list = checked as ArrayLike<unknown>;
  const out: unknown[] = [];
  if (!list.length) return out;
  for (let i = 0; i < list.length; i++) {
    let cur = d;
    let found = true;
    for (const p of splitPath(String(list[i]))) {
      if (!cur) {
        found = false;
        break;
      }
      cur = get(cur, st, p);
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
  const args = argList(input);
  return (d, st) => missingOf(args(d, st), d, st);
};

/** `missing_some`: `[]` when at least `need` of the keys are present, else the missing ones. */
const missingSomeOp: OperatorCompiler = (input) => {
  const args = argList(input);
  return (d, st) => {
    const [need, options] = args(d, st) as [number, ArrayLike<unknown>];
    const missing = missingOf(options, d, st);
    // JavaScript's own coercions decide here, as in the engine (a number of options counts as NaN).
    return options.length - missing.length >= need ? [] : missing;
  };
};

export const dataOperators: Record<string, OperatorCompiler> = {
  var: varOp,
  missing: missingOp,
  missing_some: missingSomeOp,
};
