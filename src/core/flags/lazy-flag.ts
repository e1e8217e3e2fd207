import type { PublishedFlag } from '../schema/flag';
import { checkFlag } from './check-flag';
import { type CompiledFlag, compileFlag, type FlagSetScope } from './compile-flag';
import type { Resolution } from './resolution';

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
