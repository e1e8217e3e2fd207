import { ownValue } from '../json';
import type { ConfigFlag, RollgateConfig } from '../schema/config';
import type { FlagdFlag } from '../schema/flag';
import type { PublishedFlagSet } from '../schema/flag-set';

/** A flag with one environment's overlay applied: variants merge, everything else replaces. */
export function resolveFlag(flag: ConfigFlag, environment: string): FlagdFlag {
  const { environments, ...base } = flag;
  const overlay = ownValue(environments, environment);
  if (!overlay) return base;
  const out: FlagdFlag = { ...base };
  if (overlay.state !== undefined) out.state = overlay.state;
  if (overlay.defaultVariant !== undefined) out.defaultVariant = overlay.defaultVariant;
  if (overlay.targeting !== undefined) out.targeting = overlay.targeting;
  if (overlay.variants !== undefined) out.variants = { ...base.variants, ...overlay.variants };
  return out;
}

/** The plain flagd flag set of one environment: overlays resolved, Rollgate extensions dropped. */
export function resolveEnvironment(config: RollgateConfig, environment: string): PublishedFlagSet {
  const flags: PublishedFlagSet['flags'] = {};
  for (const [key, flag] of Object.entries(config.flags)) flags[key] = resolveFlag(flag, environment);
  const set: PublishedFlagSet = { flags };
  if (config.$evaluators) set.$evaluators = config.$evaluators;
  if (config.metadata) set.metadata = config.metadata;
  return set;
}
