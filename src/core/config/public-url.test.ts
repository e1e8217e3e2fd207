import { describe, expect, it } from 'vitest';
import { publicUrlProblem } from './public-url';

describe('publicUrlProblem', () => {
  it('accepts http(s) URLs of public hosts', () => {
    for (const url of [
      'https://shop.example.com/health',
      'http://api.example.org:8080/ready?x=1',
      'https://8.8.8.8/',
      'https://[2606:4700:4700::1111]/',
      'https://example.com./',
    ]) {
      expect(publicUrlProblem(url), url).toBeNull();
    }
  });

  it.each([
    ['ftp://example.com/', /scheme "ftp"/],
    ['file:///etc/passwd', /scheme "file"/],
    ['javascript:alert(1)', /scheme/],
    ['https://user:secret@example.com/', /credentials/],
    ['https://user@example.com/', /credentials/],
    ['http://localhost:8080/', /this machine/],
    ['http://LOCALHOST./', /this machine/],
    ['http://app.localhost/', /this machine/],
    ['http://intranet/', /single-label/],
    ['http://metadata.google.internal/computeMetadata/v1/', /internal name/],
    ['http://printer.local/', /internal name/],
    ['http://127.0.0.1/', /loopback/],
    ['http://2130706433/', /loopback/],
    ['http://0x7f.1/', /loopback/],
    ['http://0.0.0.0/', /this network/],
    ['http://10.1.2.3/', /private/],
    ['http://172.16.0.1/', /private/],
    ['http://172.31.255.255/', /private/],
    ['http://192.168.1.1/', /private/],
    ['http://100.64.0.1/', /carrier-grade/],
    ['http://169.254.169.254/latest/meta-data/', /link-local/],
    ['http://224.0.0.1/', /multicast/],
    ['http://255.255.255.255/', /reserved/],
    ['http://[::1]/', /global unicast/],
    ['http://[::]/', /global unicast/],
    ['http://[::ffff:127.0.0.1]/', /global unicast/],
    ['http://[fc00::1]/', /global unicast/],
    ['http://[fd00:ec2::254]/', /global unicast/],
    ['http://[fe80::1]/', /global unicast/],
    ['http://[ff02::1]/', /global unicast/],
    ['http://[2001:db8::1]/', /documentation/],
    ['http://[2002:7f00:1::]/', /6to4/],
    ['not a url', /not a URL/],
  ])('refuses %s', (url, problem) => {
    expect(publicUrlProblem(url)).toMatch(problem);
  });

  it('accepts neighbours of the refused ranges', () => {
    for (const url of [
      'http://172.15.255.255/',
      'http://172.32.0.1/',
      'http://100.63.255.255/',
      'http://100.128.0.1/',
      'http://169.253.1.1/',
      'http://11.0.0.1/',
    ]) {
      expect(publicUrlProblem(url), url).toBeNull();
    }
  });
});
