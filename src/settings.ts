import { firstIssue } from './core/config/issues';
import { zEnvironmentName } from './core/schema/config';
import * as z from './core/schema/zod';

/** FLAG_OVERRIDES: `{ "<env>": { "<flag>": "<variant>" } }`. */
export const zFlagOverridesVar = z.record(zEnvironmentName, z.record(z.string(), z.string()));
export type FlagOverridesVar = z.infer<typeof zFlagOverridesVar>;

/** FALLBACK_CLIENT_KEYS: `{ "<env>": ["<sha256 hex>", …] }`. */
export const zFallbackKeysVar = z.record(zEnvironmentName, z.array(z.string().check(z.regex(/^[0-9a-f]{64}$/))));
export type FallbackKeysVar = z.infer<typeof zFallbackKeysVar>;

/** One admin token: who it is (recorded as the actor), its SHA-256, where and what it may do. */
export const zAdminToken = z.object({
  name: z.string().check(z.minLength(1)),
  sha256: z.string().check(z.regex(/^[0-9a-f]{64}$/)),
  environments: z.union([z.literal('*'), z.array(zEnvironmentName)]),
  role: z.enum(['viewer', 'editor', 'operator']),
});
export type AdminToken = z.infer<typeof zAdminToken>;

/** ADMIN_TOKENS: a JSON list of admin tokens. */
export const zAdminTokensVar = z.array(zAdminToken);

/** The Worker's settings, parsed once per isolate from its variables. */
export interface Settings {
  refreshMs: number;
  /** The fast version check's period per environment per isolate (docs/propagation.md); 0 turns it off. */
  fastCheckMs: number;
  maxBodyBytes: number;
  overrides: FlagOverridesVar;
  fallbackKeys: FallbackKeysVar;
  adminTokens: AdminToken[];
  /** Problems found in the variables, logged once; a bad variable falls back to its default. */
  problems: string[];
}

/** The variables settings are read from. */
export interface SettingsVars {
  SNAPSHOT_REFRESH_MS?: string;
  FAST_CHECK_MS?: string;
  MAX_BODY_BYTES?: string;
  /** A JSON string, or an object when set as a table in wrangler.toml. */
  FLAG_OVERRIDES?: unknown;
  FALLBACK_CLIENT_KEYS?: unknown;
  ADMIN_TOKENS?: unknown;
}

const DEFAULT_REFRESH_MS = 5000;
const DEFAULT_FAST_CHECK_MS = 1000;
const DEFAULT_MAX_BODY_BYTES = 64 * 1024;

let memo: { key: string; settings: Settings } | undefined;

/** Parses the settings, memoized on the variables' raw values. */
export function settingsOf(vars: SettingsVars): Settings {
  const key = JSON.stringify([
    vars.SNAPSHOT_REFRESH_MS,
    vars.FAST_CHECK_MS,
    vars.MAX_BODY_BYTES,
    vars.FLAG_OVERRIDES,
    vars.FALLBACK_CLIENT_KEYS,
    vars.ADMIN_TOKENS,
  ]);
  if (memo?.key === key) return memo.settings;
  const problems: string[] = [];
  const settings: Settings = {
    refreshMs: intVar('SNAPSHOT_REFRESH_MS', vars.SNAPSHOT_REFRESH_MS, DEFAULT_REFRESH_MS, problems),
    fastCheckMs: intVar('FAST_CHECK_MS', vars.FAST_CHECK_MS, DEFAULT_FAST_CHECK_MS, problems),
    maxBodyBytes: intVar('MAX_BODY_BYTES', vars.MAX_BODY_BYTES, DEFAULT_MAX_BODY_BYTES, problems),
    overrides: jsonVar('FLAG_OVERRIDES', vars.FLAG_OVERRIDES, zFlagOverridesVar, problems),
    fallbackKeys: jsonVar('FALLBACK_CLIENT_KEYS', vars.FALLBACK_CLIENT_KEYS, zFallbackKeysVar, problems),
    adminTokens: jsonVar('ADMIN_TOKENS', vars.ADMIN_TOKENS, zAdminTokensVar, problems, []),
    problems,
  };
  memo = { key, settings };
  return settings;
}

function intVar(name: string, raw: string | undefined, fallback: number, problems: string[]): number {
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 0) {
    problems.push(`${name} must be a non-negative integer; using ${fallback}`);
    return fallback;
  }
  return n;
}

function jsonVar<T>(name: string, raw: unknown, schema: z.ZodMiniType<T>, problems: string[], empty: T = {} as T): T {
  if (raw === undefined || raw === null || (typeof raw === 'string' && raw.trim() === '')) return empty;
  let json: unknown = raw;
  if (typeof raw === 'string') {
    try {
      json = JSON.parse(raw);
    } catch {
      problems.push(`${name} is not valid JSON; ignored`);
      return empty;
    }
  }
  const parsed = schema.safeParse(json);
  if (!parsed.success) {
    problems.push(`${name} is invalid (${firstIssue(parsed.error)}); ignored`);
    return empty;
  }
  return parsed.data;
}
