import { isIP } from 'node:net';
import { isPublicAddress, type Resolve, resolveCheckedAddress } from '../http/public-address.ts';
import { RelayError } from './errors.ts';

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
  const checked = await resolveCheckedAddress(host, resolve, allowed);
  if (checked.ok) return { address: checked.address, family: checked.family };
  if (checked.why === 'unresolved')
    throw new RelayError('RELAY_TARGET_REFUSED', `the target host ${host} does not resolve`, {
      cause: checked.cause,
    });
  throw new RelayError('RELAY_TARGET_REFUSED', `the target host ${host} resolves to a non-public address`);
}
