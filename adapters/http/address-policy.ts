/**
 * Which network addresses a remote image may be fetched from: public unicast addresses, never private, loopback,
 * link-local, unique-local, multicast or reserved ones — unless the configured allow-list names the host (by name) or
 * an address range (IP or CIDR) that contains the address.
 */
import { BlockList, isIP } from 'node:net';

const NON_PUBLIC_V4: Array<[string, number]> = [
  ['0.0.0.0', 8], // "this network"
  ['10.0.0.0', 8], // private
  ['100.64.0.0', 10], // carrier-grade NAT
  ['127.0.0.0', 8], // loopback
  ['169.254.0.0', 16], // link-local (cloud metadata lives here)
  ['172.16.0.0', 12], // private
  ['192.0.0.0', 24], // IETF protocol assignments
  ['192.0.2.0', 24], // documentation
  ['192.168.0.0', 16], // private
  ['198.18.0.0', 15], // benchmarking
  ['198.51.100.0', 24], // documentation
  ['203.0.113.0', 24], // documentation
  ['224.0.0.0', 4], // multicast
  ['240.0.0.0', 4], // reserved, broadcast
];

const NON_PUBLIC_V6: Array<[string, number]> = [
  ['::', 128], // unspecified
  ['::1', 128], // loopback
  ['64:ff9b:1::', 48], // local-use NAT64
  ['100::', 64], // discard-only
  ['2001:db8::', 32], // documentation
  ['fc00::', 7], // unique-local
  ['fe80::', 10], // link-local
  ['fec0::', 10], // site-local (deprecated)
  ['ff00::', 8], // multicast
];

const nonPublic = new BlockList();
for (const [network, prefix] of NON_PUBLIC_V4) nonPublic.addSubnet(network, prefix, 'ipv4');
for (const [network, prefix] of NON_PUBLIC_V6) nonPublic.addSubnet(network, prefix, 'ipv6');

/** The IPv4 address inside an IPv4-mapped/compatible or NAT64 IPv6 address (::ffff:a.b.c.d, 64:ff9b::a.b.c.d), if any. */
function embeddedIPv4(address: string): string | undefined {
  const lower = address.toLowerCase();
  const dotted = /^(?:::ffff:|::|64:ff9b::)(\d+\.\d+\.\d+\.\d+)$/.exec(lower);
  if (dotted) return dotted[1];
  const hex = /^(?:::ffff:|64:ff9b::)([0-9a-f]{1,4}):([0-9a-f]{1,4})$/.exec(lower);
  if (hex) {
    const high = parseInt(hex[1], 16);
    const low = parseInt(hex[2], 16);
    return `${high >> 8}.${high & 255}.${low >> 8}.${low & 255}`;
  }
  return undefined;
}

/** Whether an IP address is anything other than a public unicast address. */
export function isNonPublicAddress(address: string): boolean {
  const family = isIP(address);
  if (family === 0) throw new Error(`not an IP address: ${address}`);
  if (family === 4) return nonPublic.check(address, 'ipv4');
  const inner = embeddedIPv4(address);
  if (inner !== undefined) return nonPublic.check(inner, 'ipv4');
  return nonPublic.check(address, 'ipv6');
}

/** The allow-list (GLANCE_REMOTE_IMAGE_ALLOW_LIST): host names, and IPs or CIDR ranges. */
export class AddressAllowList {
  readonly #hosts = new Set<string>();
  readonly #ranges = new BlockList();

  constructor(entries: readonly string[]) {
    for (const raw of entries) {
      const entry = raw.trim().toLowerCase().replace(/^\[(.*)\]$/, '$1');
      if (entry === '') continue;
      const [address, prefix] = entry.split('/');
      const family = isIP(address);
      if (family === 0) {
        this.#hosts.add(entry);
        continue;
      }
      const type = family === 4 ? 'ipv4' : 'ipv6';
      const bits = prefix === undefined ? (family === 4 ? 32 : 128) : Number(prefix);
      if (!Number.isInteger(bits) || bits < 0 || bits > (family === 4 ? 32 : 128)) {
        throw new Error(`"${raw}" is not a valid CIDR range`);
      }
      this.#ranges.addSubnet(address, bits, type);
    }
  }

  allowsHost(hostname: string): boolean {
    return this.#hosts.has(hostname.toLowerCase().replace(/^\[(.*)\]$/, '$1'));
  }

  allowsAddress(address: string): boolean {
    const family = isIP(address);
    if (family === 0) return false;
    if (family === 6) {
      const inner = embeddedIPv4(address);
      if (inner !== undefined && this.#ranges.check(inner, 'ipv4')) return true;
    }
    return this.#ranges.check(address, family === 4 ? 'ipv4' : 'ipv6');
  }
}
