/**
 * Why a health-check URL is not an http(s) URL of a public host, or null when it is. The cron
 * tick fetches these URLs from Cloudflare's network, so a config must not point it at loopback,
 * private or link-local addresses, cloud metadata endpoints or names that only resolve inside a
 * network. Only literal addresses and names are judged: DNS is not resolved here (pure code).
 */
export function publicUrlProblem(text: string): string | null {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return 'not a URL';
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return `scheme "${url.protocol.slice(0, -1)}" is not http or https`;
  if (url.username !== '' || url.password !== '') return 'credentials in the URL are not allowed (they would be stored and logged)';
  // The URL parser normalises hosts: "0x7f.1" and "2130706433" become "127.0.0.1", IPv6 is bracketed.
  const host = url.hostname.toLowerCase().replace(/\.$/, '');
  if (host.startsWith('[')) return ipv6Problem(host.slice(1, -1));
  if (/^\d+\.\d+\.\d+\.\d+$/.test(host)) return ipv4Problem(host.split('.').map(Number));
  if (host === 'localhost' || host.endsWith('.localhost')) return `"${host}" is this machine, not a public host`;
  if (!host.includes('.')) return `"${host}" is a single-label name, not a public host`;
  for (const suffix of INTERNAL_SUFFIXES) {
    if (host.endsWith(suffix)) return `"${host}" is an internal name (${suffix}), not a public host`;
  }
  return null;
}

/** Names that resolve only inside a network; "metadata.google.internal" is GCP's metadata server. */
const INTERNAL_SUFFIXES = ['.internal', '.local', '.localdomain', '.home.arpa', '.intranet', '.lan'];

/** IPv4 ranges that are not public: network, prefix length, what it is. */
const PRIVATE_V4: ReadonlyArray<{ net: number; bits: number; what: string }> = [
  { net: 0x00000000, bits: 8, what: '"this network" (0.0.0.0/8)' },
  { net: 0x0a000000, bits: 8, what: 'private (10.0.0.0/8)' },
  { net: 0x64400000, bits: 10, what: 'carrier-grade NAT (100.64.0.0/10)' },
  { net: 0x7f000000, bits: 8, what: 'loopback (127.0.0.0/8)' },
  { net: 0xa9fe0000, bits: 16, what: 'link-local, where cloud metadata lives (169.254.0.0/16)' },
  { net: 0xac100000, bits: 12, what: 'private (172.16.0.0/12)' },
  { net: 0xc0000000, bits: 24, what: 'IETF protocol assignments (192.0.0.0/24)' },
  { net: 0xc0000200, bits: 24, what: 'documentation (192.0.2.0/24)' },
  { net: 0xc0a80000, bits: 16, what: 'private (192.168.0.0/16)' },
  { net: 0xc6120000, bits: 15, what: 'benchmarking (198.18.0.0/15)' },
  { net: 0xc6336400, bits: 24, what: 'documentation (198.51.100.0/24)' },
  { net: 0xcb007100, bits: 24, what: 'documentation (203.0.113.0/24)' },
  { net: 0xe0000000, bits: 4, what: 'multicast (224.0.0.0/4)' },
  { net: 0xf0000000, bits: 4, what: 'reserved (240.0.0.0/4)' },
];

function ipv4Problem(octets: readonly number[]): string | null {
  const n = ((octets[0]! << 24) | (octets[1]! << 16) | (octets[2]! << 8) | octets[3]!) >>> 0;
  for (const { net, bits, what } of PRIVATE_V4) {
    const mask = (0xffffffff << (32 - bits)) >>> 0;
    if ((n & mask) >>> 0 === net) return `${octets.join('.')} is ${what}, not a public address`;
  }
  return null;
}

/** The 8 hextets of an IPv6 address as the URL parser writes it (compressed, lowercase, no zone), or null. */
function hextets(text: string): number[] | null {
  const halves = text.split('::');
  if (halves.length > 2) return null;
  const parse = (s: string) => (s === '' ? [] : s.split(':').map((h) => parseInt(h, 16)));
  const head = parse(halves[0]!);
  const tail = halves.length === 2 ? parse(halves[1]!) : [];
  const fill = 8 - head.length - tail.length;
  if (fill < 0 || (halves.length === 1 && fill !== 0) || [...head, ...tail].some((h) => !(h >= 0 && h <= 0xffff))) return null;
  return [...head, ...new Array<number>(fill).fill(0), ...tail];
}

function ipv6Problem(text: string): string | null {
  const h = hextets(text);
  if (!h) return `[${text}] is not an IPv6 address`;
  // Only global unicast (2000::/3) is public; within it, documentation and 6to4 (which embeds an IPv4 address) are refused.
  if (h[0]! < 0x2000 || h[0]! > 0x3fff)
    return `[${text}] is not a global unicast address (loopback, unspecified, IPv4-mapped, unique-local, link-local and multicast are refused)`;
  if (h[0] === 0x2001 && h[1] === 0x0db8) return `[${text}] is a documentation address (2001:db8::/32)`;
  if (h[0] === 0x2002) return `[${text}] is a 6to4 address (2002::/16), which embeds an IPv4 address`;
  return null;
}

/**
 * Why a webhook URL may not be called, or null when it may: an https URL of a public host (as
 * {@link publicUrlProblem} judges hosts), or, for local use only, http or https to loopback
 * (127.0.0.0/8, [::1], localhost), which a deployed Worker cannot reach anyway.
 */
export function webhookUrlProblem(text: string): string | null {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return 'not a URL';
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return `scheme "${url.protocol.slice(0, -1)}" is not https`;
  if (url.username !== '' || url.password !== '') return 'credentials in the URL are not allowed (they would be stored and logged)';
  if (isLoopback(url.hostname.toLowerCase().replace(/\.$/, ''))) return null;
  if (url.protocol !== 'https:') return 'plain http is only allowed to loopback (127.0.0.1, [::1], localhost); use https';
  return publicUrlProblem(text);
}

function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '[::1]' || /^127\.\d+\.\d+\.\d+$/.test(host);
}
