import { firstProtoKey, firstTooDeep } from '../json-depth';
import { type PublishedFlag, zPublishedFlag } from '../schema/flag';
import { type CompiledFlag, compileFlag, type FlagSetScope } from './compile-flag';
import type { Resolution } from './resolution';

/**
 * Nesting a flag may have below the flag itself: the snapshot's bound (100 from its root) less
 * the root and the `flags` level above a flag.
 */
const MAX_FLAG_DEPTH = 98;

/**
 * A flag of a snapshot, validated and compiled on its first evaluation. The edge trusts the
 * coordinator's validation only as far as the snapshot's shape: each flag still goes through
 * zPublishedFlag here, once, before anything reads it (KV is outside data). Whatever fails, the
 * bounds, the schema or the compiler, becomes this flag's PARSE_ERROR; nothing is thrown.
 */
export class LazyFlag implements CompiledFlag {
  private raw: unknown;
  private compiled: CompiledFlag | undefined;
  private valid: PublishedFlag | undefined;
  private names: ReadonlySet<string> | undefined;

  constructor(
    readonly key: string,
    raw: unknown,
    private readonly scope: FlagSetScope,
    /** Called once with the compiled flag, so the set can drop this stub. */
    private readonly onCompiled: (compiled: CompiledFlag) => void,
  ) {
    this.raw = raw;
  }

  evaluate(context: Record<string, unknown>, timestamp: number): Resolution {
    return this.compile().evaluate(context, timestamp);
  }

  /** Variant names of the flag, or undefined when it is invalid. */
  variantNames(): ReadonlySet<string> | undefined {
    this.compile();
    if (this.valid && !this.names) this.names = new Set(Object.keys(this.valid.variants));
    return this.names;
  }

  private compile(): CompiledFlag {
    if (this.compiled) return this.compiled;
    let compiled: CompiledFlag;
    try {
      const checked = checkFlag(this.raw);
      if (typeof checked === 'string') {
        compiled = this.failed(`invalid definition for flag '${this.key}': ${checked}`);
      } else {
        this.valid = checked;
        compiled = compileFlag(this.key, checked, this.scope);
      }
    } catch (err) {
      compiled = this.failed(`flag '${this.key}' could not be compiled: ${(err as Error).name}`);
    }
    this.raw = undefined;
    this.compiled = compiled;
    this.onCompiled(compiled);
    return compiled;
  }

  private failed(details: string): CompiledFlag {
    const resolution: Resolution = { key: this.key, reason: 'ERROR', errorCode: 'PARSE_ERROR', errorDetails: details, metadata: this.scope.metadata };
    return { key: this.key, evaluate: () => resolution };
  }
}

/** The flag when it is a valid published flag within the bounds, else why not. */
function checkFlag(raw: unknown): PublishedFlag | string {
  const tooDeep = firstTooDeep(raw, MAX_FLAG_DEPTH);
  if (tooDeep !== null) return `nested deeper than ${MAX_FLAG_DEPTH} levels at ${tooDeep}`;
  const proto = firstProtoKey(raw);
  if (proto !== null) return `a "__proto__" key at ${proto}`;
  const parsed = zPublishedFlag.safeParse(raw);
  if (parsed.success) return parsed.data;
  const first = parsed.error.issues[0];
  return `at /${first?.path.join('/') ?? ''}: ${first?.message ?? 'invalid'}`;
}
