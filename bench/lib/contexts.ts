/**
 * Deterministic evaluation contexts: the same seed gives the same 10,000 users on every run and
 * machine, so results are comparable and an answer mismatch is reproducible.
 */
import type { EvaluationContext } from '@openfeature/core';

import { mulberry32 } from '../../test/helpers/seeded-random';

export { mulberry32 };

export type Rng = () => number;

export function pick<T>(rng: Rng, items: readonly T[]): T {
  return items[Math.floor(rng() * items.length)]!;
}

export function int(rng: Rng, lo: number, hi: number): number {
  return lo + Math.floor(rng() * (hi - lo + 1));
}

function hex(rng: Rng, n: number): string {
  let s = '';
  for (let i = 0; i < n; i++) s += '0123456789abcdef'[Math.floor(rng() * 16)];
  return s;
}

function uuid(rng: Rng): string {
  return `${hex(rng, 8)}-${hex(rng, 4)}-4${hex(rng, 3)}-${pick(rng, ['8', '9', 'a', 'b'])}${hex(rng, 3)}-${hex(rng, 12)}`;
}

export const COUNTRIES = ['US', 'DE', 'FR', 'GB', 'NL', 'SE', 'ES', 'IT', 'BR', 'IN', 'JP', 'CA'] as const;
const DOMAINS = ['example.com', 'gmail.com', 'rollgate.dev', 'acme.io', 'macrosoft.com', 'orange.com'] as const;
const NAMES = ['ada', 'linus', 'grace', 'ken', 'barbara', 'dennis', 'margaret', 'alan', 'edsger', 'frances'] as const;
const PLANS = ['free', 'pro', 'enterprise'] as const;

/** An app version as clients send it: mostly x.y.z, some pre-releases, some with a `v`. */
function appVersion(rng: Rng): string {
  const v = `${int(rng, 1, 3)}.${int(rng, 0, 9)}.${int(rng, 0, 20)}`;
  const r = rng();
  if (r < 0.08) return `${v}-beta.${int(rng, 1, 4)}`;
  if (r < 0.12) return `v${v}`;
  return v;
}

/** The `version` field the testkit's sem_ver flags read: strings around 1.x–3.x, some partial or numeric. */
function testkitVersion(rng: Rng): string | number {
  const r = rng();
  if (r < 0.1) return pick(rng, ['2.0.0', '1.0.0', '3.0.0', 'v1.0.0', '1.0.0+build']);
  if (r < 0.15) return pick(rng, [1.5, 2, 1.1, 0.9]);
  if (r < 0.2) return pick(rng, ['1', '1.2', '3.1', 'not-a-version', '2.0.0.0']);
  return `${int(rng, 0, 3)}.${int(rng, 0, 3)}.${int(rng, 0, 3)}`;
}

/**
 * `n` user contexts with the fields our benchmark flags and the flagd testkit flags read
 * (email, country, appVersion, plan, user.name, id, version, tier, color, num).
 */
export function makeContexts(n: number, seed = 0x5eed): EvaluationContext[] {
  const rng = mulberry32(seed);
  const out: EvaluationContext[] = [];
  for (let i = 0; i < n; i++) {
    const name = `${pick(rng, NAMES)}${int(rng, 1, 9999)}`;
    const special = rng();
    const email = special < 0.02 ? 'ballmer@macrosoft.com' : special < 0.04 ? 'jobs@orange.com' : `${name}@${pick(rng, DOMAINS)}`;
    const idRoll = rng();
    const id = idRoll < 0.2 ? `abc${hex(rng, 6)}` : idRoll < 0.4 ? `${hex(rng, 6)}xyz` : hex(rng, 9);
    out.push({
      targetingKey: rng() < 0.005 ? '5c3d8535-f81a-4478-a6d3-afaa4d51199e' : uuid(rng),
      email,
      country: pick(rng, COUNTRIES),
      appVersion: appVersion(rng),
      plan: pick(rng, PLANS),
      user: { name },
      id,
      version: testkitVersion(rng),
      tier: rng() < 0.3 ? 'premium' : 'standard',
      color: pick(rng, ['red', 'green', 'blue', 'yellow']),
      num: int(rng, 0, 1000),
    });
  }
  return out;
}
