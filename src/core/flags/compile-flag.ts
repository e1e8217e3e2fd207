import { compileLogic } from '../logic/compile';
import type { Compiled, EvalState } from '../logic/types';
import type { JsonValue } from '../json';
import type { Metadata, PublishedFlag } from '../schema/flag';
import { applyRollout } from './rollout';
import type { Reason, Resolution } from './resolution';

/** A flag ready to evaluate: `evaluate` is called on every request and allocates nothing on static paths. */
export interface CompiledFlag {
  readonly key: string;
  /** Evaluates against a context object; `timestamp` is `$flagd.timestamp` (seconds). */
  evaluate(context: Record<string, unknown>, timestamp: number): Resolution;
}

/** Shared rules and set-level metadata the flag compiles against. */
export interface FlagSetScope {
  evaluators: Readonly<Record<string, unknown>>;
  metadata: Readonly<Metadata>;
}

/** Compiles one published flag: targeting to closures, every possible resolution prebuilt. */
export function compileFlag(key: string, flag: PublishedFlag, scope: FlagSetScope): CompiledFlag {
  const metadata: Metadata = { ...scope.metadata, ...flag.metadata };
  if (flag.rollout) {
    metadata['rolloutId'] = flag.rollout.id;
    metadata['rolloutPercent'] = flag.rollout.percent;
  }
  const results = new ResultTable(key, flag.variants, metadata);

  if (flag.state === 'DISABLED') {
    const disabled: Resolution = { key, reason: 'DISABLED', metadata };
    return { key, evaluate: () => disabled };
  }

  // flagd-core reads `defaultVariant || undefined`: an empty name means the flag has none.
  const defaultVariant = flag.defaultVariant || undefined;
  const hasTargeting = flag.targeting !== undefined && Object.keys(flag.targeting).length > 0;
  let base: CompiledFlag;

  if (!hasTargeting) {
    const fixed = results.forDefault(defaultVariant, 'STATIC');
    base = { key, evaluate: () => fixed };
  } else {
    let rule: Compiled;
    try {
      rule = compileLogic(flag.targeting, { evaluators: scope.evaluators, flagKey: key });
    } catch (err) {
      const parseError: Resolution = {
        key,
        reason: 'ERROR',
        errorCode: 'PARSE_ERROR',
        errorDetails: `invalid targeting for flag '${key}': ${(err as Error).message}`,
        metadata,
      };
      return { key, evaluate: () => parseError };
    }
    const onDefault = results.forDefault(defaultVariant, 'DEFAULT');
    const state: EvalState = { root: undefined, flagKey: key, timestamp: 0, enriched: undefined };
    base = {
      key,
      evaluate(context, timestamp) {
        state.root = context;
        state.timestamp = timestamp;
        state.enriched = undefined;
        let variant: string;
        try {
          const out = rule(context, state);
          if (out === null || out === undefined) return onDefault;
          // Inside the try: an object from the context may not convert ({"toString": 1}).
          // eslint-disable-next-line @typescript-eslint/no-base-to-string -- flagd names the variant by String() of whatever the rule returned
          variant = String(out);
        } catch {
          return results.general(`error evaluating targeting for flag '${key}'`);
        }
        return results.forMatch(variant);
      },
    };
  }

  return flag.rollout ? applyRollout(base, flag.rollout, results, defaultVariant) : base;
}

/** Every resolution a flag can give, built once so that evaluation only picks one. */
export class ResultTable {
  private readonly byReason = new Map<Reason, Map<string, Resolution>>();
  private readonly codeDefault: Resolution;

  constructor(
    readonly key: string,
    private readonly variants: Readonly<Record<string, JsonValue>>,
    readonly metadata: Readonly<Metadata>,
  ) {
    this.codeDefault = { key, reason: 'DEFAULT', metadata };
  }

  /** The resolution for `variant` with `reason`, or GENERAL when the variant does not exist. */
  get(variant: string, reason: Reason): Resolution {
    let table = this.byReason.get(reason);
    if (!table) this.byReason.set(reason, (table = new Map<string, Resolution>()));
    let hit = table.get(variant);
    if (hit) return hit;
    if (!Object.hasOwn(this.variants, variant)) return this.general(`variant '${variant}' not found in flag '${this.key}'`);
    hit = { key: this.key, reason, value: this.variants[variant]!, variant, metadata: this.metadata };
    table.set(variant, hit);
    return hit;
  }

  /** A targeting rule named this variant. */
  forMatch(variant: string): Resolution {
    return this.get(variant, 'TARGETING_MATCH');
  }

  /** The default variant with `reason`, or the code default when the flag has none. */
  forDefault(defaultVariant: string | undefined, reason: Reason): Resolution {
    return defaultVariant === undefined ? this.codeDefault : this.get(defaultVariant, reason);
  }

  /** An evaluation error. */
  general(details: string): Resolution {
    return { key: this.key, reason: 'ERROR', errorCode: 'GENERAL', errorDetails: details, metadata: this.metadata };
  }
}
