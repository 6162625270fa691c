import { BlockList, isIP } from 'node:net';
import { RelayError } from './errors.ts';

/** Addresses a relay must never connect to: private, loopback, link-local, and the like. */
const FORBIDDEN = new BlockList();
for (const [net, prefix] of [
  ['0.0.0.0', 8],
  ['10.0.0.0', 8],
  ['100.64.0.0', 10],
  ['127.0.0.0', 8],
  ['169.254.0.0', 16],
  ['172.16.0.0', 12],
  ['192.0.0.0', 24],
  ['192.0.2.0', 24],
  ['192.168.0.0', 16],
  ['198.18.0.0', 15],
  ['198.51.100.0', 24],
  ['203.0.113.0', 24],
  ['224.0.0.0', 4],
  ['240.0.0.0', 4],
] as const) {
  FORBIDDEN.addSubnet(net, prefix, 'ipv4');
}
for (const [net, prefix] of [
  ['::', 128],
  ['::1', 128],
  ['fc00::', 7],
  ['fe80::', 10],
  ['ff00::', 8],
  ['2001:db8::', 32],
  ['64:ff9b::', 96],
] as const) {
  FORBIDDEN.addSubnet(net, prefix, 'ipv6');
}

/** True for an address on the public internet. IPv4-mapped IPv6 is judged as the IPv4 it maps. */
export function isPublicAddress(address: string): boolean {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  if (mapped) return isPublicAddress(mapped[1]!);
  const family = isIP(address);
  if (family === 0) return false;
  return !FORBIDDEN.check(address, family === 4 ? 'ipv4' : 'ipv6');
}

/** True when `host` matches an allowlist pattern: exact, or `*.domain` for any name below it. */
export function hostAllowed(host: string, patterns: readonly string[]): boolean {
  const h = host.toLowerCase();
  return patterns.some((p) => {
    const pattern = p.toLowerCase();
    return pattern.startsWith('*.')
      ? h.endsWith(pattern.slice(1)) && h.length > pattern.length - 1
      : h === pattern;
  });
}

/**
 * Checks a URL target before anything connects to it: `https` only, no credentials, a host name
 * (not an IP literal) on the allowlist. Returns the parsed URL.
 */
export function checkTargetUrl(raw: string, allowlist: readonly string[]): URL {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new RelayError('RELAY_TARGET_REFUSED', 'tunnel_url is not a URL', { field: 'tunnel_url' });
  }
  if (url.protocol !== 'https:')
    throw new RelayError('RELAY_TARGET_REFUSED', 'tunnel_url must use https', { field: 'tunnel_url' });
  if (url.username || url.password) {
    throw new RelayError('RELAY_TARGET_REFUSED', 'tunnel_url must not carry credentials', {
      field: 'tunnel_url',
    });
  }
  const host = url.hostname.replace(/^\[|\]$/g, '');
  if (isIP(host) !== 0)
    throw new RelayError('RELAY_TARGET_REFUSED', 'tunnel_url must name a host, not an address', {
      field: 'tunnel_url',
    });
  if (!hostAllowed(host, allowlist)) {
    throw new RelayError('RELAY_TARGET_REFUSED', `tunnel_url host ${host} is not on the relay's allowlist`, {
      field: 'tunnel_url',
    });
  }
  return url;
}

/** A resolver: host name to addresses (dns.promises.lookup with `all: true`, or a stand-in). */
export type Resolve = (host: string) => Promise<{ address: string; family: number }[]>;

/**
 * Resolves the target's host and returns the one address to connect to. Every address it resolves
 * to must be public: a name that also points inside the network is refused outright, and the
 * caller connects to the checked address itself, so a second lookup cannot be swapped (DNS rebinding).
 */
export async function resolvePublicAddress(
  host: string,
  resolve: Resolve,
  allowed: (address: string) => boolean = isPublicAddress,
): Promise<{ address: string; family: number }> {
  let addresses: { address: string; family: number }[];
  try {
    addresses = await resolve(host);
  } catch (error) {
    throw new RelayError('RELAY_TARGET_REFUSED', `the target host ${host} does not resolve`, {
      cause: error,
    });
  }
  if (addresses.length === 0)
    throw new RelayError('RELAY_TARGET_REFUSED', `the target host ${host} does not resolve`);
  const bad = addresses.find((a) => !allowed(a.address));
  if (bad)
    throw new RelayError('RELAY_TARGET_REFUSED', `the target host ${host} resolves to a non-public address`);
  return addresses[0]!;
}
