/**
 * The address policy of outgoing connections, apart from the grant's parsing so that the
 * network thread loads only this: no private, loopback, link-local, multicast, reserved or
 * metadata address is reached unless a rule names its range.
 */
import { BlockList, isIP } from 'node:net';

/** A CIDR range: address, prefix length, family. */
export type AddressRange = readonly [address: string, prefix: number, family: 'ipv4' | 'ipv6'];

/**
 * Addresses no request reaches unless a rule names their range: private, loopback,
 * link-local (cloud metadata at 169.254.169.254 among them), multicast, carrier-grade NAT,
 * reserved and documentation ranges, and IPv6's equivalents (IPv4-mapped and NAT64 addresses
 * are judged by the IPv4 address they carry).
 */
const REFUSED = new BlockList();
for (const [address, prefix] of [
  ['0.0.0.0', 8],
  ['10.0.0.0', 8],
  ['100.64.0.0', 10],
  ['127.0.0.0', 8],
  ['169.254.0.0', 16],
  ['172.16.0.0', 12],
  ['192.0.0.0', 24],
  ['192.0.2.0', 24],
  ['192.88.99.0', 24],
  ['192.168.0.0', 16],
  ['198.18.0.0', 15],
  ['198.51.100.0', 24],
  ['203.0.113.0', 24],
  ['224.0.0.0', 4],
  ['240.0.0.0', 4],
] as const) {
  REFUSED.addSubnet(address, prefix, 'ipv4');
}
for (const [address, prefix] of [
  ['::', 128],
  ['::1', 128],
  ['64:ff9b:1::', 48],
  ['100::', 64],
  ['2001:db8::', 32],
  ['2002::', 16],
  ['fc00::', 7],
  ['fe80::', 10],
  ['fec0::', 10],
  ['ff00::', 8],
] as const) {
  REFUSED.addSubnet(address, prefix, 'ipv6');
}

/** The IPv4 address an IPv6 address carries (mapped `::ffff:a.b.c.d`, NAT64 `64:ff9b::a.b.c.d`). */
function embeddedIpv4(address: string): string | undefined {
  const match = /^(?:::ffff:|64:ff9b::)(?:0:)?(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  if (match) return match[1];
  const hex = /^(?:::ffff:|64:ff9b::)([0-9a-f]{1,4}):([0-9a-f]{1,4})$/i.exec(address);
  if (!hex) return undefined;
  const high = Number.parseInt(hex[1]!, 16);
  const low = Number.parseInt(hex[2]!, 16);
  return `${high >> 8}.${high & 0xff}.${low >> 8}.${low & 0xff}`;
}

/**
 * Whether a connection to `address` is allowed: inside one of the `named` ranges (a rule's own
 * `addresses`), else only when the address (or the IPv4 address it carries) is public.
 */
export function addressAllowed(named: readonly AddressRange[], address: string): boolean {
  const family = isIP(address);
  if (family === 0) return false;
  const type = family === 4 ? 'ipv4' : 'ipv6';
  for (const [range, prefix, rangeFamily] of named) {
    const list = new BlockList();
    list.addSubnet(range, prefix, rangeFamily);
    if (list.check(address, type)) return true;
  }
  if (REFUSED.check(address, type)) return false;
  const carried = type === 'ipv6' ? embeddedIpv4(address) : undefined;
  return carried === undefined || !REFUSED.check(carried, 'ipv4');
}
