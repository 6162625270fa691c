import { normalizeHost } from '../../http/request-target.ts';
import type { Route } from '../../routes/route.ts';
import type { RouteAuthSettings } from '../../routes/route-auth-settings.ts';
import type { RouteTable } from '../../routes/route-table.ts';
import type { UpstreamIdentity } from '../identity/identity.ts';
import { claimNames, evaluate, pickClaims } from '../identity/policy.ts';
import type { ResourcePolicy } from '../identity/resource-policy.ts';
import { resourcePathOf, resourceUrl } from './resource-url.ts';

/** A route that has an `auth` policy. */
export type ProtectedRoute = Route & { readonly auth: RouteAuthSettings };

/** The route's `auth` policy, if it has one (every kind but `fleet-login` may). */
export function authOf(route: Route | undefined): RouteAuthSettings | undefined {
  return route && 'auth' in route ? route.auth : undefined;
}

/** True when the route has an `auth` policy. */
export function isProtected(route: Route | undefined): route is ProtectedRoute {
  return authOf(route) !== undefined;
}

/**
 * The protected route a resource URL names: the route serving its host and path, which must have
 * `auth` and whose resource URL the given one is exactly (so `https://app/api/x` names no route).
 */
export function protectedRouteFor(table: RouteTable, resource: URL): ProtectedRoute | undefined {
  const scheme = resource.protocol.slice(0, -1);
  if (scheme !== 'https' && scheme !== 'http') return undefined;
  const path = resourcePathOf(resource);
  if (path === undefined) return undefined;
  const route = table.match(normalizeHost(resource.host), path);
  if (!isProtected(route)) return undefined;
  const canonical = resourceUrl(scheme, resource.host, route.path);
  // A URL object shows `https://app` as `https://app/`: both name the route at `/`.
  const given = path === '/' ? `${resource.protocol}//${resource.host}` : resource.href;
  return given === canonical ? route : undefined;
}

/**
 * Every scope a resource advertises in its RFC 9728 metadata: Gatehouse's own API (`admin`,
 * `user`), its MCP server (`mcp`, `admin`) and each protected route's `auth.scopes`. The
 * authorization server accepts these.
 */
export function advertisedScopes(table: RouteTable): string[] {
  return [
    'admin',
    'user',
    'mcp',
    ...table.routes.flatMap((route) => Object.keys(authOf(route)?.scopes ?? {})),
  ];
}

/**
 * The authorization server's view of the routes: which audience and scopes a route's resource URL
 * grants an identity, from the live routing table. The audience is the canonical resource URL.
 */
export function routeResourcePolicy(table: () => RouteTable): ResourcePolicy {
  return async (resource: URL, identity: UpstreamIdentity) => {
    const route = protectedRouteFor(table(), resource);
    if (!route) return undefined;
    const { allowed, scopes } = evaluate(route.auth, identity);
    if (!allowed)
      return {
        denied: `${identity.provider}:${identity.login} is not on the allow list of ${resource.host}`,
      };
    const audience = resourceUrl(resource.protocol.slice(0, -1), resource.host, route.path);
    const names = claimNames(route.auth);
    return names.length > 0
      ? { audience, scopes, claims: pickClaims(identity.claims, names) }
      : { audience, scopes };
  };
}
