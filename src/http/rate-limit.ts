import { logEvent } from '../log';

/**
 * Seconds a limited client should wait. The bindings in wrangler.toml count per 10-second
 * period; the limiter does not say when its window ends, so a client waits one whole period.
 */
export const RETRY_AFTER_SECONDS = 10;

/**
 * What OFREP's limiter counts by: the key and the client's address. An evaluate key is public
 * (every visitor's browser holds it), so a limit on the key alone would let one client use up
 * every visitor's budget; per address, a flood from one client limits only that client.
 * Cloudflare sets CF-Connecting-IP on every request it forwards; without it (local tools) the key alone counts.
 */
export function ofrepLimitKey(keyId: string, headers: Headers): string {
  const ip = headers.get('cf-connecting-ip');
  return ip ? `${keyId}@${clientNetwork(ip)}` : keyId;
}

/**
 * The client's address as the limiter counts it: an IPv4 address whole, an IPv6 address by its
 * /64 (one subscriber's network; a client can send from any of its 2^64 addresses).
 */
export function clientNetwork(ip: string): string {
  if (!ip.includes(':')) return ip;
  const [head = '', tail = ''] = ip.split('::', 2);
  const left = head === '' ? [] : head.split(':');
  const right = ip.includes('::') ? (tail === '' ? [] : tail.split(':')) : [];
  const groups = ip.includes('::') ? [...left, ...Array<string>(Math.max(0, 8 - left.length - right.length)).fill('0'), ...right] : left;
  return `${groups
    .slice(0, 4)
    .map((g) => (g.replace(/^0+(?=.)/, '') || '0').toLowerCase())
    .join(':')}::/64`;
}

/** Bindings already reported missing in this isolate: the log line is written once. */
const reportedMissing = new Set<string>();

/**
 * Whether the key identified by `id` (`<env>:<key name>`, with `@<address>` for OFREP; never the secret) is over its limit.
 * A missing binding (an older deploy, or the benchmarks' bare workerd) or a limiter that fails
 * does not limit: availability of flags and reports matters more than the ceiling.
 */
export async function overLimit(binding: RateLimit | undefined, bindingName: string, id: string): Promise<boolean> {
  if (binding === undefined) {
    if (!reportedMissing.has(bindingName)) {
      reportedMissing.add(bindingName);
      logEvent({ event: 'rate_limit_unbound', binding: bindingName, effect: 'requests are not rate limited' });
    }
    return false;
  }
  try {
    return !(await binding.limit({ key: id })).success;
  } catch (err) {
    logEvent({ event: 'rate_limit_failed', binding: bindingName, name: (err as Error).name, message: (err as Error).message });
    return false;
  }
}
