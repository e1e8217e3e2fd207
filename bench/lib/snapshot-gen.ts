/**
 * Generated flag sets for the `scale` benchmark. The mix is meant to look like a real product's
 * flags: mostly static kill switches, then targeting, percentage splits, shared `$ref` rules, a
 * few disabled flags and a few active rollouts; about a third carry metadata.
 */
import { COUNTRIES, int, mulberry32, pick, type Rng } from './contexts';

export const TARGET_KEY = 'bench-target';

/** The measured flag: staff → "internal", EU users → a 50/50 fractional split, else default. */
export const TARGET_FLAG = {
  state: 'ENABLED',
  variants: { control: 'control', treatment: 'treatment', internal: 'internal', off: 'off' },
  defaultVariant: 'off',
  targeting: {
    if: [
      { ends_with: [{ var: 'email' }, '@rollgate.dev'] },
      'internal',
      { in: [{ var: 'country' }, ['DE', 'FR', 'NL', 'SE']] },
      {
        fractional: [
          ['control', 50],
          ['treatment', 50],
        ],
      },
      null,
    ],
  },
  metadata: { owner: 'growth', ticket: 'ROLL-1' },
};

const TEAMS = ['checkout', 'search', 'growth', 'payments', 'mobile', 'infra', 'ads', 'onboarding'];
const FEATURES = ['new-cart', 'dark-mode', 'ranking-v2', 'promo-banner', 'fast-path', 'beta-api', 'tiered-pricing', 'cache'];

const EVALUATORS = {
  staff: { ends_with: [{ var: 'email' }, '@rollgate.dev'] },
  eu: { in: [{ var: 'country' }, ['DE', 'FR', 'NL', 'SE', 'ES', 'IT']] },
  modern: { sem_ver: [{ var: 'appVersion' }, '>=', '2.0.0'] },
};

type Flag = Record<string, unknown>;

const bool = { on: true, off: false };

function condition(rng: Rng): unknown {
  switch (int(rng, 0, 4)) {
    case 0:
      return { in: [{ var: 'country' }, [pick(rng, COUNTRIES), pick(rng, COUNTRIES), pick(rng, COUNTRIES)]] };
    case 1:
      return { ends_with: [{ var: 'email' }, pick(rng, ['@rollgate.dev', '@acme.io', '@example.com'])] };
    case 2:
      return { sem_ver: [{ var: 'appVersion' }, pick(rng, ['>=', '<', '^']), `${int(rng, 1, 3)}.${int(rng, 0, 9)}.0`] };
    case 3:
      return { '==': [{ var: 'plan' }, pick(rng, ['free', 'pro', 'enterprise'])] };
    default:
      return { starts_with: [{ var: 'id' }, 'abc'] };
  }
}

function split(rng: Rng): unknown {
  const a = int(rng, 1, 99);
  return rng() < 0.7
    ? {
        fractional: [
          ['on', a],
          ['off', 100 - a],
        ],
      }
    : { fractional: [{ var: 'targetingKey' }, ['on', a], ['off', 100 - a]] };
}

function makeFlag(rng: Rng, i: number): Flag {
  const r = rng();
  let flag: Flag;
  if (r < 0.35) flag = { state: 'ENABLED', variants: bool, defaultVariant: pick(rng, ['on', 'off']) };
  else if (r < 0.45)
    flag = {
      state: 'ENABLED',
      variants: { small: 10, medium: 50, large: 200 },
      defaultVariant: 'medium',
    };
  else if (r < 0.65) flag = { state: 'ENABLED', variants: bool, defaultVariant: 'off', targeting: { if: [condition(rng), 'on', null] } };
  else if (r < 0.77) flag = { state: 'ENABLED', variants: bool, defaultVariant: 'off', targeting: split(rng) };
  else if (r < 0.87) flag = { state: 'ENABLED', variants: bool, defaultVariant: 'off', targeting: { if: [condition(rng), split(rng), null] } };
  else if (r < 0.92)
    flag = {
      state: 'ENABLED',
      variants: { copy: { title: `Variant ${i}`, cta: 'Buy now' }, plain: { title: 'Plain', cta: 'Buy' } },
      defaultVariant: 'plain',
      targeting: { if: [{ $ref: pick(rng, Object.keys(EVALUATORS)) }, 'copy', null] },
    };
  else if (r < 0.97) flag = { state: 'DISABLED', variants: bool, defaultVariant: 'off' };
  else
    flag = {
      state: 'ENABLED',
      variants: bool,
      defaultVariant: 'off',
      targeting: { if: [{ $ref: 'staff' }, 'on'] },
      rollout: { id: `ro-${i}`, variant: 'on', baselineVariant: 'off', percent: int(rng, 1, 99) },
    };
  if (rng() < 0.3) flag['metadata'] = { owner: pick(rng, TEAMS), ticket: `ROLL-${int(rng, 100, 9999)}` };
  return flag;
}

/** A published flag set of `size` flags (TARGET_KEY in the middle), as the JSON text a snapshot holds. */
export function generateSnapshot(size: number, seed = 42): string {
  const rng = mulberry32(seed);
  const flags: Record<string, Flag> = {};
  const targetAt = Math.floor(size / 2);
  for (let i = 0; i < size; i++) {
    if (i === targetAt) flags[TARGET_KEY] = TARGET_FLAG;
    else flags[`${pick(rng, TEAMS)}-${pick(rng, FEATURES)}-${i}`] = makeFlag(rng, i);
  }
  return JSON.stringify({ flags, $evaluators: EVALUATORS, metadata: { flagSetId: `bench-${size}`, version: 1 } });
}
