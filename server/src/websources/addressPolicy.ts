import { lookup } from 'node:dns/promises';
import ipaddr from 'ipaddr.js';
import { WebSourceError } from './webSourceError.js';

// Which network addresses a web source may reach. Only globally routable unicast
// addresses pass by default: ipaddr.js classifies an address into named ranges
// (private, loopback, linkLocal, carrierGradeNat, multicast, unspecified,
// uniqueLocal, 6to4, teredo, ...) and anything not plain 'unicast' is refused,
// so a range we did not think of is refused rather than let through.
// IPv4-mapped IPv6 addresses (::ffff:10.0.0.1) are judged as the IPv4 address
// they carry. An allow-list opens intranets: host names (matched exactly,
// whatever they resolve to) and CIDR ranges or single addresses.

export interface ResolvedAddress {
  address: string;
  family: 4 | 6;
}

type Cidr = [ipaddr.IPv4 | ipaddr.IPv6, number];

export interface AddressPolicy {
  /** Resolves the host (every address) and returns one address to connect to, or throws 'blocked_address'. */
  resolve(hostname: string): Promise<ResolvedAddress>;
}

function parseAllowEntry(entry: string): { host?: string; cidr?: Cidr } {
  const trimmed = entry.trim().toLowerCase();
  if (trimmed.includes('/')) return { cidr: ipaddr.parseCIDR(trimmed) };
  if (ipaddr.isValid(trimmed)) {
    const address = ipaddr.process(trimmed);
    return { cidr: [address, address.kind() === 'ipv4' ? 32 : 128] };
  }
  return { host: trimmed.replace(/\.$/, '') };
}

function describeRange(address: ipaddr.IPv4 | ipaddr.IPv6): string {
  const range = address.range();
  return range === 'unicast' ? 'public' : range;
}

function bareHost(hostname: string): string {
  return hostname.replace(/^\[|\]$/g, '').toLowerCase().replace(/\.$/, '');
}

export function createAddressPolicy(allowList: readonly string[] = []): AddressPolicy {
  const hosts = new Set<string>();
  const ranges: Cidr[] = [];
  for (const entry of allowList) {
    if (!entry.trim()) continue;
    let parsed;
    try {
      parsed = parseAllowEntry(entry);
    } catch {
      throw new Error(`Invalid allow-list entry "${entry}" (expected a host name, an address or a CIDR range)`);
    }
    if (parsed.host) hosts.add(parsed.host);
    if (parsed.cidr) ranges.push(parsed.cidr);
  }

  const permitted = (address: ipaddr.IPv4 | ipaddr.IPv6): boolean => {
    if (address.range() === 'unicast') return true;
    return ranges.some(([network, bits]) => network.kind() === address.kind() && address.match(network, bits));
  };

  return {
    async resolve(hostname) {
      const host = bareHost(hostname);
      const hostAllowed = hosts.has(host);
      let addresses: ResolvedAddress[];
      if (ipaddr.isValid(host)) {
        addresses = [{ address: host, family: host.includes(':') ? 6 : 4 }];
      } else {
        try {
          addresses = (await lookup(host, { all: true, verbatim: true })).map(({ address, family }) => ({ address, family: family === 6 ? 6 : 4 }));
        } catch (error) {
          throw new WebSourceError('dns_failed', `The host ${host} could not be resolved (${(error as NodeJS.ErrnoException).code ?? 'error'})`);
        }
        if (addresses.length === 0) throw new WebSourceError('dns_failed', `The host ${host} has no address`);
      }
      if (hostAllowed) return addresses[0]!;
      // Every address must pass: a name that points partly into the private
      // network is refused outright rather than connected to "the good one".
      for (const { address } of addresses) {
        const parsed = ipaddr.process(address);
        if (!permitted(parsed)) {
          const shown = host === address ? address : `${host} (${address})`;
          throw new WebSourceError('blocked_address', `Requests to ${shown} are refused: ${describeRange(parsed)} addresses are not allowed (see the web sources allow-list)`);
        }
      }
      return addresses[0]!;
    },
  };
}
