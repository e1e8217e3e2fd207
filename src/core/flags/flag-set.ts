import type { Metadata } from '../schema/flag';
import type { CompiledFlag } from './compile-flag';
import { LazyFlag } from './lazy-flag';
import { flagNotFound, type Resolution } from './resolution';

/**
 * A flag set as it arrives: flags not yet checked one by one. A snapshot from KV has passed the
 * edge's structural check (src/store/snapshot-shape.ts); each flag is validated and compiled on
 * its first evaluation (LazyFlag), so loading costs nothing per flag and an isolate pays only for
 * the flags it serves. A validated PublishedFlagSet or flagd document is one too.
 */
export interface RawFlagSet {
  readonly flags: Readonly<Record<string, unknown>>;
  readonly $evaluators?: Readonly<Record<string, unknown>>;
  readonly metadata?: Readonly<Metadata>;
}

/** Each flag's variant names, for checking health reports (never read on the evaluation path). */
export interface VariantLookup {
  get(key: string): ReadonlySet<string> | undefined;
}

/** A flag set compiled once per snapshot version, flag by flag as they are first used. */
export interface CompiledFlagSet {
  /** Flags in document order, for bulk evaluation: each compiles on its first call and stays compiled. */
  readonly list: readonly CompiledFlag[];
  readonly byKey: ReadonlyMap<string, CompiledFlag>;
  /** Variant names of a valid flag; undefined for an unknown or invalid one. */
  readonly variants: VariantLookup;
  /** Set-level metadata (flagd's flag-set metadata plus Rollgate's, such as flagSetVersion). */
  readonly metadata: Readonly<Metadata>;
}

/**
 * The flag set, each flag to be validated and compiled on first use. A flag whose definition is
 * invalid or whose targeting does not compile answers PARSE_ERROR alone; the others never notice.
 */
export function compileFlagSet(set: RawFlagSet, extraMetadata: Readonly<Metadata> = {}): CompiledFlagSet {
  const metadata: Metadata = { ...set.metadata, ...extraMetadata };
  const scope = { evaluators: set.$evaluators ?? {}, metadata };
  const keys = Object.keys(set.flags);
  const list = new Array<CompiledFlag>(keys.length);
  const byKey = new Map<string, CompiledFlag>();
  const lazies = new Map<string, LazyFlag>();
  for (let i = 0; i < keys.length; i++) {
    const key = keys[i]!;
    // Once compiled, the flag replaces its stub in both places: steady-state evaluation is the compiled closure's.
    const lazy = new LazyFlag(key, set.flags[key], scope, (compiled) => {
      list[i] = compiled;
      byKey.set(key, compiled);
    });
    list[i] = lazy;
    byKey.set(key, lazy);
    lazies.set(key, lazy);
  }
  return { list, byKey, variants: { get: (key) => lazies.get(key)?.variantNames() }, metadata };
}

/** Evaluates one flag; `now` is in milliseconds since the epoch. */
export function evaluateFlag(set: CompiledFlagSet, key: string, context: Record<string, unknown>, now: number): Resolution {
  const flag = set.byKey.get(key);
  if (!flag) return flagNotFound(key, set.metadata);
  return flag.evaluate(context, Math.floor(now / 1000));
}

/** Evaluates every flag of the set, in document order. */
export function evaluateAll(set: CompiledFlagSet, context: Record<string, unknown>, now: number): Resolution[] {
  const timestamp = Math.floor(now / 1000);
  const out = new Array<Resolution>(set.list.length);
  for (let i = 0; i < set.list.length; i++) out[i] = set.list[i]!.evaluate(context, timestamp);
  return out;
}
