import { lookup } from 'node:dns/promises';
import { BlockList, isIP } from 'node:net';

/**
 * Addresses a fetch on someone else's behalf must never connect to: private, loopback,
 * link-local, shared, documentation and other special-use ranges (the IANA registries), and the
 * IPv6 forms that carry an IPv4 address inside (6to4, Teredo, NAT64, mapped).
 */
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
  ['192.31.196.0', 24],
  ['192.52.193.0', 24],
  ['192.88.99.0', 24],
  ['192.168.0.0', 16],
  ['192.175.48.0', 24],
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
  ['64:ff9b::', 96],
  ['64:ff9b:1::', 48],
  ['100::', 64],
  ['2001::', 23],
  ['2001:db8::', 32],
  ['2002::', 16],
  ['2620:4f:8000::', 48],
  ['3fff::', 20],
  ['5f00::', 16],
  ['fc00::', 7],
  ['fe80::', 10],
  ['fec0::', 10],
  ['ff00::', 8],
] as const) {
  FORBIDDEN.addSubnet(net, prefix, 'ipv6');
}

/** True for an address on the public internet. IPv4-mapped IPv6 is judged as the IPv4 it maps. */
export function isPublicAddress(address: string): boolean {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  if (mapped) return isPublicAddress(mapped[1]!);
  const mappedHex = /^::ffff:([0-9a-f]{1,4}):([0-9a-f]{1,4})$/i.exec(address);
  if (mappedHex) {
    const [high, low] = [Number.parseInt(mappedHex[1]!, 16), Number.parseInt(mappedHex[2]!, 16)];
    return isPublicAddress(`${high >> 8}.${high & 255}.${low >> 8}.${low & 255}`);
  }
  const family = isIP(address);
  if (family === 0) return false;
  return !FORBIDDEN.check(address, family === 4 ? 'ipv4' : 'ipv6');
}

/** A resolver: host name to addresses (dns.promises.lookup with `all: true`, or a stand-in). */
export type Resolve = (host: string) => Promise<{ address: string; family: number }[]>;

/** The system resolver, every address of a name. */
export const systemResolve: Resolve = (host) => lookup(host, { all: true, verbatim: true });

/** The address to connect to, or why there is none: the name does not resolve, or points inward. */
export type CheckedAddress =
  | {
      readonly ok: true;
      readonly address: string;
      readonly family: number;
      /** Every address of the name, all checked, `address` first. */
      readonly all: readonly { address: string; family: number }[];
    }
  | { readonly ok: false; readonly why: 'unresolved'; readonly cause?: unknown }
  | { readonly ok: false; readonly why: 'not-public'; readonly address: string };

/**
 * Resolves `host` (an IP literal is its own answer) and picks the address to connect to. Every
 * address it resolves to must pass `allowed`: a name that also points inside the network is
 * refused outright, before any connection, and the caller connects to the checked address itself
 * (see `pinned-agent.ts`), so a second lookup cannot be swapped in (DNS rebinding).
 */
export async function resolveCheckedAddress(
  host: string,
  resolve: Resolve = systemResolve,
  allowed: (address: string) => boolean = isPublicAddress,
): Promise<CheckedAddress> {
  const literal = host.replace(/^\[|\]$/g, '');
  let addresses: { address: string; family: number }[];
  if (isIP(literal) !== 0) addresses = [{ address: literal, family: isIP(literal) }];
  else {
    try {
      addresses = await resolve(host);
    } catch (cause) {
      return { ok: false, why: 'unresolved', cause };
    }
  }
  if (addresses.length === 0) return { ok: false, why: 'unresolved' };
  const bad = addresses.find((a) => !allowed(a.address));
  if (bad) return { ok: false, why: 'not-public', address: bad.address };
  return { ok: true, address: addresses[0]!.address, family: addresses[0]!.family, all: addresses };
}
