import type { Metadata } from '../schema/flag';
import type { PublishedFlagSet } from '../schema/flag-set';
import { type CompiledFlag, compileFlag } from './compile-flag';
import { flagNotFound, type Resolution } from './resolution';

/** A flag set compiled once per snapshot version. */
export interface CompiledFlagSet {
  /** Flags in document order, for bulk evaluation. */
  readonly list: readonly CompiledFlag[];
  readonly byKey: ReadonlyMap<string, CompiledFlag>;
  /** Each flag's variant names, for checking health reports (never read on the evaluation path). */
  readonly variants: ReadonlyMap<string, ReadonlySet<string>>;
  /** Set-level metadata (flagd's flag-set metadata plus Rollgate's, such as flagSetVersion). */
  readonly metadata: Readonly<Metadata>;
}

/** Compiles every flag of a set; a flag whose targeting does not compile answers PARSE_ERROR alone. */
export function compileFlagSet(set: PublishedFlagSet, extraMetadata: Readonly<Metadata> = {}): CompiledFlagSet {
  const metadata: Metadata = { ...set.metadata, ...extraMetadata };
  const scope = { evaluators: set.$evaluators ?? {}, metadata };
  const list: CompiledFlag[] = [];
  const byKey = new Map<string, CompiledFlag>();
  const variants = new Map<string, ReadonlySet<string>>();
  for (const [key, flag] of Object.entries(set.flags)) {
    const compiled = compileFlag(key, flag, scope);
    list.push(compiled);
    byKey.set(key, compiled);
    variants.set(key, new Set(Object.keys(flag.variants)));
  }
  return { list, byKey, variants, metadata };
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
