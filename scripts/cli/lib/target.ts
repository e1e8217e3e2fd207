import { zEnvironmentName } from '../../../src/core/schema/config';
import { UsageError } from './errors';

export const DEFAULT_URL = 'http://127.0.0.1:8787';
/** The local admin token of `npm start` (README, "Local credentials"). */
export const DEV_ADMIN_TOKEN = 'dev-admin-token';
export const DEFAULT_ENVIRONMENT = 'development';

/** Where a setting came from: its command-line option, its environment variable, or the default. */
export type Source = 'flag' | 'env' | 'default';

/** Which Rollgate to talk to, as whom, about which environment. */
export interface Target {
  url: string;
  urlSource: Source;
  /** Null when no token was given and the URL is not loopback. */
  token: string | null;
  tokenSource: Source | null;
  environment: string;
  environmentSource: Source;
}

/** True for localhost, 127.0.0.0/8 and ::1. */
export function isLoopback(url: URL): boolean {
  const host = url.hostname.replace(/^\[|\]$/g, '').toLowerCase();
  return host === 'localhost' || host.endsWith('.localhost') || host === '::1' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(host);
}

function pick(flag: string | undefined, envValue: string | undefined): { value: string; source: Source } | null {
  if (flag !== undefined && flag !== '') return { value: flag, source: 'flag' };
  if (envValue !== undefined && envValue !== '') return { value: envValue, source: 'env' };
  return null;
}

/**
 * Resolves --url/ROLLGATE_URL, --token/ROLLGATE_TOKEN and --env/ROLLGATE_ENV. The development
 * token is the default only for a loopback URL, so it is never sent anywhere else.
 */
export function resolveTarget(
  options: { url?: string | undefined; token?: string | undefined; env?: string | undefined },
  vars: Readonly<Record<string, string | undefined>>,
  command?: string,
): Target {
  const u = pick(options.url, vars['ROLLGATE_URL']) ?? { value: DEFAULT_URL, source: 'default' as const };
  let parsed: URL;
  try {
    parsed = new URL(u.value);
  } catch {
    throw new UsageError(`${u.source === 'flag' ? '--url' : 'ROLLGATE_URL'} is not a URL: "${u.value}" (expected e.g. ${DEFAULT_URL})`, command);
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
    throw new UsageError(`${u.source === 'flag' ? '--url' : 'ROLLGATE_URL'} must be an http:// or https:// URL, not "${u.value}"`, command);
  }
  const url = u.value.replace(/\/+$/, '');
  const t = pick(options.token, vars['ROLLGATE_TOKEN']) ?? (isLoopback(parsed) ? { value: DEV_ADMIN_TOKEN, source: 'default' as const } : null);
  const e = pick(options.env, vars['ROLLGATE_ENV']) ?? { value: DEFAULT_ENVIRONMENT, source: 'default' as const };
  if (!zEnvironmentName.safeParse(e.value).success) {
    throw new UsageError(
      `${e.source === 'flag' ? '--env' : 'ROLLGATE_ENV'} "${e.value}" is not an environment name (a-z, 0-9 and -, starting with a letter)`,
      command,
    );
  }
  return {
    url,
    urlSource: u.source,
    token: t?.value ?? null,
    tokenSource: t?.source ?? null,
    environment: e.value,
    environmentSource: e.source,
  };
}

/** Names a token by where it came from, never by its value. */
export function describeTokenSource(source: Source | null): string {
  switch (source) {
    case 'flag':
      return 'the admin token given with --token';
    case 'env':
      return 'the admin token in ROLLGATE_TOKEN';
    case 'default':
      return 'the default local development token (used for loopback URLs when no token is given)';
    default:
      return 'no admin token';
  }
}
