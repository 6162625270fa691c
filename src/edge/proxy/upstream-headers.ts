import type { ClientInfo } from '../../http/forwarded.ts';
import { endToEndHeaders } from '../../http/hop-by-hop.ts';
import { planRequestHeaders } from '../../http/request-header-plan.ts';
import type { UpstreamRoute } from '../../routes/route.ts';
import { targetOf } from '../../routes/route-target.ts';

/**
 * The request headers to send upstream, as a flat `[name, value, …]` list built from the client's
 * raw headers so duplicates and order survive. Hop-by-hop headers are dropped (for an upgrade,
 * `Connection: upgrade` and `Upgrade` are re-added), forwarding headers are set, then the route's
 * own removals and additions apply.
 */
export function upstreamRequestHeaders(
  rawHeaders: readonly string[],
  route: UpstreamRoute,
  client: ClientInfo,
  options: { readonly trustForwarded: boolean; readonly upgrade?: string | undefined },
): string[] {
  const plan = planRequestHeaders(rawHeaders, client, options.trustForwarded);
  const removed = new Set(route.requestHeaders.remove.map((n) => n.toLowerCase()));
  const replaced = new Set(Object.keys(route.requestHeaders.set).map((n) => n.toLowerCase()));

  const out: string[] = [];
  for (let i = 0; i < rawHeaders.length; i += 2) {
    const name = rawHeaders[i]!;
    const lower = name.toLowerCase();
    if (plan.stops(lower)) continue;
    if (removed.has(lower) || replaced.has(lower)) continue;
    out.push(name, rawHeaders[i + 1]!);
  }

  out.push('host', route.preserveHost ? client.host : targetOf(route).host);
  for (const [name, value] of plan.forwarding)
    if (!removed.has(name) && !replaced.has(name)) out.push(name, value);
  if (options.upgrade !== undefined) out.push('connection', 'upgrade', 'upgrade', options.upgrade);
  for (const [name, value] of Object.entries(route.requestHeaders.set)) out.push(name, value);
  return out;
}

/** The response headers to send the client: hop-by-hop dropped, then the route's rules applied. */
export function downstreamResponseHeaders(
  headers: Readonly<Record<string, string | string[] | undefined>>,
  route: UpstreamRoute,
): Record<string, string | string[]> {
  const removed = new Set(route.responseHeaders.remove.map((n) => n.toLowerCase()));
  const out = endToEndHeaders(headers);
  for (const name of Object.keys(out)) if (removed.has(name)) delete out[name];
  for (const [name, value] of Object.entries(route.responseHeaders.set)) out[name.toLowerCase()] = value;
  return out;
}

/** The path and query to request upstream: the prefix stripped if asked, joined to the target's base path. */
export function upstreamPath(route: UpstreamRoute, path: string, search: string): string {
  let rest = path;
  if (route.stripPrefix && route.path !== '/') {
    rest = path.slice(route.path.length);
    if (!rest.startsWith('/')) rest = `/${rest}`;
  }
  return `${targetOf(route).basePath}${rest}${search}`;
}
