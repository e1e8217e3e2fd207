import { ownValue } from '../json';
import { checkFlag } from './check-flag';
import type { RawFlagSet } from './flag-set';

/** Break-glass forced variants of one environment: flag key → variant. */
export type FlagOverrides = Readonly<Record<string, string>>;

/** The outcome of laying overrides over a flag set: the new set, and overrides that could not apply. */
export interface OverrideResult {
  set: RawFlagSet;
  ignored: { flag: string; reason: string }[];
}

/**
 * Forces variants: an overridden flag becomes enabled, static on the forced variant, with no
 * targeting or rollout, and carries metadata `override: true`. An override naming a missing
 * flag or variant is ignored (and reported), so a typo cannot take a flag down.
 */
export function applyOverrides(set: RawFlagSet, overrides: FlagOverrides): OverrideResult {
  const ignored: OverrideResult['ignored'] = [];
  const keys = Object.keys(overrides);
  if (keys.length === 0) return { set, ignored };
  const flags = { ...set.flags };
  for (const key of keys) {
    const variant = overrides[key]!;
    const raw = ownValue(flags, key);
    if (raw === undefined) {
      ignored.push({ flag: key, reason: 'no such flag' });
      continue;
    }
    // The set's flags are checked one by one on first use; an overridden one is checked here, the same way.
    const flag = checkFlag(raw);
    if (typeof flag === 'string') {
      ignored.push({ flag: key, reason: 'the flag is invalid' });
      continue;
    }
    if (!Object.hasOwn(flag.variants, variant)) {
      ignored.push({ flag: key, reason: `no variant "${variant}"` });
      continue;
    }
    flags[key] = {
      state: 'ENABLED',
      variants: flag.variants,
      defaultVariant: variant,
      metadata: { ...flag.metadata, override: true },
    };
  }
  return { set: { ...set, flags }, ignored };
}
