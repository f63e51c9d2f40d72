import { Injectable } from '@nestjs/common';
import { lookup as dnsLookup, LookupAddress } from 'node:dns';
import { isIP, LookupFunction } from 'node:net';
import ipaddr from 'ipaddr.js';
import { Settings } from '../config/settings';
import { OutboundBlockedError } from './outbound-blocked.error';

export { OutboundBlockedError } from './outbound-blocked.error';

type Address = ipaddr.IPv4 | ipaddr.IPv6;

/**
 * The SSRF guard. It runs where the socket is opened — on every address DNS returned and on
 * literal IPs — so a name that resolves (or re-resolves) to a private address is refused
 * before any packet leaves. Only public unicast addresses pass by default; an
 * HOOKFLOW_OUTBOUND_ALLOW entry opens a host name (exact, case-insensitive; `*.example.com`
 * for its subdomains) or an IP / CIDR matched against the resolved address.
 */
@Injectable()
export class OutboundGuard {
  private readonly hosts = new Set<string>();
  private readonly domains: string[] = [];
  private readonly ranges: [Address, number][] = [];

  constructor(settings: Settings) {
    for (const entry of settings.HOOKFLOW_OUTBOUND_ALLOW ?? []) this.allow(entry);
  }

  /** Throws OutboundBlockedError unless connecting to `address` for URL host `host` is allowed. */
  checkAddress(host: string, address: string): void {
    if (this.hostAllowed(host)) return;
    const parsed = parseAddress(address);
    if (parsed && (this.rangeAllowed(parsed) || isPublic(parsed))) return;
    throw new OutboundBlockedError(host, address);
  }

  /** For undici's `connect` option: resolves like dns.lookup, then checks every address. */
  readonly lookup: LookupFunction = (hostname, options, callback) => {
    dnsLookup(hostname, { ...options, all: true }, (error, addresses: LookupAddress[]) => {
      if (error) return callback(error, '', undefined);
      try {
        for (const { address } of addresses) this.checkAddress(hostname, address);
      } catch (blocked) {
        return callback(blocked as NodeJS.ErrnoException, '', undefined);
      }
      if (options.all) return callback(null, addresses);
      callback(null, addresses[0].address, addresses[0].family);
    });
  };

  /** For connections that skip DNS (the URL host is an IP): the same rule, applied directly. */
  checkLiteral(hostname: string): void {
    if (isIP(hostname)) this.checkAddress(hostname, hostname);
  }

  private allow(entry: string): void {
    const text = entry.trim().toLowerCase();
    const unbracketed = text.replace(/^\[(.*)\]$/, '$1');
    if (unbracketed.includes('/')) this.ranges.push(parseRange(unbracketed, entry));
    else if (isIP(unbracketed)) this.ranges.push(parseRange(`${unbracketed}/${isIP(unbracketed) === 4 ? 32 : 128}`, entry));
    else if (text.startsWith('*.')) this.domains.push(hostName(text.slice(1)));
    else this.hosts.add(hostName(text));
  }

  private hostAllowed(host: string): boolean {
    const name = hostName(host);
    return this.hosts.has(name) || this.domains.some((suffix) => name.endsWith(suffix));
  }

  private rangeAllowed(address: Address): boolean {
    return this.ranges.some(([base, prefix]) => base.kind() === address.kind() && address.match(base, prefix));
  }
}

function hostName(host: string): string {
  return host
    .toLowerCase()
    .replace(/^\[(.*)\]$/, '$1')
    .replace(/\.$/, '');
}

function parseAddress(text: string): Address | undefined {
  const bare = text.replace(/^\[(.*)\]$/, '$1').replace(/%.*$/, '');
  return isIP(bare) ? normalize(ipaddr.parse(bare)) : undefined;
}

/** An allowed range; an IPv4-mapped range (::ffff:10.0.0.0/104) becomes the IPv4 range it covers. */
function parseRange(text: string, entry: string): [Address, number] {
  const [base, prefix] = text.split('/');
  if (!isIP(base) || !/^\d{1,3}$/.test(prefix ?? '') || Number(prefix) > (isIP(base) === 4 ? 32 : 128)) {
    throw new Error(`HOOKFLOW_OUTBOUND_ALLOW: "${entry}" is neither a host name nor an IP address or CIDR`);
  }
  const address = ipaddr.parse(base);
  const bits = Number(prefix);
  return address.kind() === 'ipv6' && (address as ipaddr.IPv6).isIPv4MappedAddress() && bits >= 96
    ? [(address as ipaddr.IPv6).toIPv4Address(), bits - 96]
    : [address, bits];
}

/** IPv4-mapped IPv6 (::ffff:a.b.c.d) is the IPv4 address it carries. */
function normalize(address: Address): Address {
  return address.kind() === 'ipv6' && (address as ipaddr.IPv6).isIPv4MappedAddress() ? (address as ipaddr.IPv6).toIPv4Address() : address;
}

/**
 * Public unicast only. IPv6 forms that embed an IPv4 address (SIIT, NAT64 64:ff9b::/96,
 * 6to4) are judged by that address; IPv4-compatible ::a.b.c.d and every other special
 * range (loopback, link-local, unique-local, Teredo, documentation…) are refused.
 */
function isPublic(address: Address): boolean {
  if (address.kind() === 'ipv4') return address.range() === 'unicast';
  const v6 = address as ipaddr.IPv6;
  const parts = v6.parts;
  const bytes = v6.toByteArray();
  switch (v6.range()) {
    case 'rfc6145':
      return isPublic(ipv4From(bytes, 12));
    case 'rfc6052':
      return parts[2] === 0 && parts[3] === 0 && parts[4] === 0 && parts[5] === 0 && isPublic(ipv4From(bytes, 12));
    case '6to4':
      return isPublic(ipv4From(bytes, 2));
    case 'unicast':
      return parts.slice(0, 6).some((part) => part !== 0);
    default:
      return false;
  }
}

function ipv4From(bytes: number[], offset: number): ipaddr.IPv4 {
  return new ipaddr.IPv4(bytes.slice(offset, offset + 4));
}
