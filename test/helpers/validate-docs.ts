/** Documents for the validation tests. */
import { readFileSync } from 'node:fs';

export const example = JSON.parse(readFileSync(new URL('../../config/flags.json', import.meta.url), 'utf8')) as {
  flags: Record<
    string,
    {
      state: string;
      variants: Record<string, unknown>;
      defaultVariant?: string | null;
      targeting?: unknown;
      metadata?: Record<string, unknown>;
      environments?: Record<string, unknown>;
    }
  >;
  [key: string]: unknown;
};

/** A minimal valid boolean flag, with `extra` merged in. */
export function bool(extra: Record<string, unknown> = {}): Record<string, unknown> {
  return { state: 'ENABLED', variants: { on: true, off: false }, defaultVariant: 'off', ...extra };
}

export function doc(flags: Record<string, unknown>, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return { flags, ...extra };
}

export const paths = (issues: { path: string }[]) => issues.map((i) => i.path).sort();
