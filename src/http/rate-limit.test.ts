import { describe, expect, it } from 'vitest';
import { clientNetwork, ofrepLimitKey } from './rate-limit';

describe('OFREP rate-limit keys', () => {
  it('count an IPv4 client by its address and an IPv6 client by its /64, however it is written', () => {
    expect(clientNetwork('203.0.113.7')).toBe('203.0.113.7');
    // Every address of one /64 (a client can pick any of 2^64) counts as one client.
    for (const ip of ['2001:db8:0:1::1', '2001:db8:0:1::2', '2001:0db8:0000:0001:ffff:ffff:ffff:ffff', '2001:DB8:0:1:a:b:c:d']) {
      expect(clientNetwork(ip)).toBe('2001:db8:0:1::/64');
    }
    expect(clientNetwork('2001:db8:0:2::1')).toBe('2001:db8:0:2::/64');
    expect(clientNetwork('::1')).toBe('0:0:0:0::/64');
    expect(clientNetwork('fe80::')).toBe('fe80:0:0:0::/64');
  });

  it('use the key alone where no address is given, and never the secret', () => {
    expect(ofrepLimitKey('staging:web', new Headers())).toBe('staging:web');
    expect(ofrepLimitKey('staging:web', new Headers({ 'cf-connecting-ip': '2001:db8::9' }))).toBe('staging:web@2001:db8:0:0::/64');
  });
});
