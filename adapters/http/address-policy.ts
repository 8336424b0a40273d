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
  ['2001::', 32], // Teredo (tunnels to an IPv4 address hidden in the address)
  ['2001:db8::', 32], // documentation
  ['fc00::', 7], // unique-local
  ['fe80::', 10], // link-local
  ['fec0::', 10], // site-local (deprecated)
  ['ff00::', 8], // multicast
];

const nonPublic = new BlockList();
for (const [network, prefix] of NON_PUBLIC_V4) nonPublic.addSubnet(network, prefix, 'ipv4');
for (const [network, prefix] of NON_PUBLIC_V6) nonPublic.addSubnet(network, prefix, 'ipv6');

/** The eight 16-bit groups of an IPv6 address (a dotted IPv4 tail and a zone id allowed), or undefined if malformed. */
function ipv6Groups(address: string): number[] | undefined {
  let text = address.toLowerCase().replace(/%.*$/, '');
  const dotted = /^(.*:)(\d+)\.(\d+)\.(\d+)\.(\d+)$/.exec(text);
  if (dotted) {
    const bytes = dotted.slice(2).map(Number);
    if (bytes.some((byte) => byte > 255)) return undefined;
    text = `${dotted[1]}${((bytes[0] << 8) | bytes[1]).toString(16)}:${((bytes[2] << 8) | bytes[3]).toString(16)}`;
  }
  const halves = text.split('::');
  if (halves.length > 2) return undefined;
  const parse = (half: string) => (half === '' ? [] : half.split(':').map((group) => parseInt(group, 16)));
  const head = parse(halves[0]);
  const tail = halves.length === 2 ? parse(halves[1]) : [];
  const missing = 8 - head.length - tail.length;
  if (missing < 0 || (halves.length === 1 && missing !== 0)) return undefined;
  const groups = [...head, ...new Array<number>(halves.length === 2 ? missing : 0).fill(0), ...tail];
  return groups.some((group) => Number.isNaN(group) || group > 0xffff) ? undefined : groups;
}

function ipv4From(high: number, low: number): string {
  return `${high >> 8}.${high & 255}.${low >> 8}.${low & 255}`;
}

/**
 * The IPv4 address an IPv6 address carries and is delivered to, whatever its spelling (`::ffff:127.0.0.1` and
 * `::ffff:7f00:1` alike): IPv4-mapped (::ffff:0:0/96), IPv4-compatible (::/96, deprecated), IPv4-translated
 * (::ffff:0:0:0/96), NAT64 (64:ff9b::/96) and 6to4 (2002::/16, the IPv4 address in bits 16–47). Such an address is
 * as public as the IPv4 address inside it.
 */
function embeddedIPv4(address: string): string | undefined {
  const g = ipv6Groups(address);
  if (!g) return undefined;
  const zeros = (from: number, to: number) => g.slice(from, to).every((group) => group === 0);
  if (zeros(0, 5) && (g[5] === 0xffff || g[5] === 0)) return ipv4From(g[6], g[7]); // mapped, compatible (and ::, ::1)
  if (zeros(0, 4) && g[4] === 0xffff && g[5] === 0) return ipv4From(g[6], g[7]); // translated
  if (g[0] === 0x64 && g[1] === 0xff9b && zeros(2, 6)) return ipv4From(g[6], g[7]); // NAT64
  if (g[0] === 0x2002) return ipv4From(g[1], g[2]); // 6to4
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
