import { describe, expect, it } from 'vitest';
import { addressAllowed } from '../../../host/caps/http/addresses.js';
import { matchRule, parseHttpScope } from '../../../host/caps/http/policy.js';

const target = (url: string, method = 'GET') => {
  const u = new URL(url);
  return {
    scheme: u.protocol.slice(0, -1) as 'http' | 'https',
    host: u.hostname.replace(/^\[|\]$/g, ''),
    port: Number(u.port || (u.protocol === 'https:' ? 443 : 80)),
    method,
    pathWithQuery: `${u.pathname}${u.search}`,
  };
};

describe('outgoing HTTP rules', () => {
  it('allows nothing when the list is empty or absent', () => {
    expect(matchRule(parseHttpScope({}), target('https://example.com/'))).toBeUndefined();
    expect(matchRule(parseHttpScope({ allow: [] }), target('https://example.com/'))).toBeUndefined();
    expect(matchRule(parseHttpScope(undefined), target('https://example.com/'))).toBeUndefined();
  });

  it('matches a URL rule by scheme, host, default port and path prefix', () => {
    const policy = parseHttpScope({ allow: ['https://api.example.com/v1/'] });
    expect(matchRule(policy, target('https://api.example.com/v1/users?x=1'))).toBeDefined();
    expect(matchRule(policy, target('https://api.example.com/v1'))).toBeDefined();
    expect(matchRule(policy, target('https://api.example.com/v10'))).toBeUndefined();
    expect(matchRule(policy, target('https://api.example.com/v2/'))).toBeUndefined();
    expect(matchRule(policy, target('http://api.example.com/v1/'))).toBeUndefined();
    expect(matchRule(policy, target('https://api.example.com:8443/v1/'))).toBeUndefined();
    expect(matchRule(policy, target('https://evil.com/v1/'))).toBeUndefined();
    expect(matchRule(policy, target('https://api.example.com.evil.com/v1/'))).toBeUndefined();
  });

  it('matches wildcards below a domain only, and methods as listed', () => {
    const policy = parseHttpScope({
      allow: [{ host: '*.example.com', methods: ['GET'], schemes: ['http', 'https'] }],
    });
    expect(matchRule(policy, target('https://a.example.com/'))).toBeDefined();
    expect(matchRule(policy, target('http://a.b.example.com/'))).toBeDefined();
    expect(matchRule(policy, target('https://example.com/'))).toBeUndefined();
    expect(matchRule(policy, target('https://badexample.com/'))).toBeUndefined();
    expect(matchRule(policy, target('https://a.example.com/', 'POST'))).toBeUndefined();
    const none = parseHttpScope({ allow: [{ host: 'example.com', methods: [] }] });
    expect(matchRule(none, target('https://example.com/'))).toBeUndefined();
  });

  it('refuses malformed rules with a clear error', () => {
    for (const allow of [
      ['ftp://x.com'],
      ['https://user:pw@x.com'],
      ['not a url'],
      [{ host: '*.com' }],
      [{ host: 'a b' }],
      [{ host: 'x.com', addresses: ['10.0.0.0/33'] }],
    ]) {
      expect(() => parseHttpScope({ allow })).toThrow(expect.objectContaining({ code: 'invalid-argument' }));
    }
    expect(() => parseHttpScope({ allow: [], bogus: 1 })).toThrow(/bogus|Unrecognized/);
  });
});

describe('address policy', () => {
  it('refuses private, loopback, link-local, metadata, multicast and reserved addresses', () => {
    for (const address of [
      '127.0.0.1',
      '10.1.2.3',
      '172.16.0.1',
      '192.168.1.1',
      '169.254.169.254',
      '100.100.100.200',
      '0.0.0.0',
      '224.0.0.1',
      '255.255.255.255',
      '::1',
      '::',
      'fe80::1',
      'fd00:ec2::254',
      'ff02::1',
      '::ffff:127.0.0.1',
      '::ffff:7f00:1',
      '64:ff9b::a9fe:a9fe',
      '64:ff9b::169.254.169.254',
    ]) {
      expect(addressAllowed([], address), address).toBe(false);
    }
  });

  it('allows public addresses, and private ones a rule names', () => {
    expect(addressAllowed([], '93.184.216.34')).toBe(true);
    expect(addressAllowed([], '2606:2800:220:1:248:1893:25c8:1946')).toBe(true);
    expect(addressAllowed([['127.0.0.0', 8, 'ipv4']], '127.0.0.1')).toBe(true);
    expect(addressAllowed([['127.0.0.1', 32, 'ipv4']], '127.0.0.2')).toBe(false);
    expect(addressAllowed([['127.0.0.1', 32, 'ipv4']], 'not-an-ip')).toBe(false);
  });

  it('lets an IP-literal rule reach that address, and only it', () => {
    const policy = parseHttpScope({ allow: ['http://127.0.0.1:8080'] });
    const rule = matchRule(policy, target('http://127.0.0.1:8080/'))!;
    expect(addressAllowed(rule.addresses, '127.0.0.1')).toBe(true);
    expect(addressAllowed(rule.addresses, '10.0.0.1')).toBe(false);
  });
});
