import type { Exchange } from '../../http/exchange.ts';

/**
 * A route's resource URL (RFC 8707, RFC 9728): `<scheme>://<host[:port]><route path>`, without a
 * trailing slash, so path `/` gives `https://app.example.com` and `/api` gives `https://app.example.com/api`.
 * Tokens are accepted by a route only when their `aud` is exactly this.
 */
export function resourceUrl(scheme: string, host: string, routePath: string): string {
  const authority = withoutDefaultPort(scheme, host.toLowerCase());
  return `${scheme}://${authority}${routePath === '/' ? '' : routePath}`;
}

/** The resource URL of a route as this request reached it: its scheme and the host as sent. */
export function requestResourceUrl(
  exchange: Pick<Exchange, 'client' | 'rawHost'>,
  routePath: string,
  scheme: string = exchange.client.proto,
): string {
  return resourceUrl(scheme, exchange.rawHost, routePath);
}

/** The route path a resource URL names (`/` for a bare origin), or undefined for one with a query or fragment. */
export function resourcePathOf(resource: URL): string | undefined {
  if (resource.search !== '' || resource.hash !== '' || resource.username !== '' || resource.password !== '')
    return undefined;
  return resource.pathname;
}

function withoutDefaultPort(scheme: string, host: string): string {
  if (scheme === 'https' && host.endsWith(':443')) return host.slice(0, -4);
  if (scheme === 'http' && host.endsWith(':80')) return host.slice(0, -3);
  return host;
}
