import type { RouteRelaySettings } from './relay-settings.ts';
import type { Route } from './route.ts';

/** A route with relay settings. */
export type RelayRoute = Route & { readonly relay: RouteRelaySettings };

/**
 * What a request was routed to, by kind. Each kind has one handler; `tunnel` is also what a
 * tunnel's own host (`<name>.<domain>`) resolves to, without a stored route.
 */
export type Routed =
  | { readonly kind: 'proxy'; readonly route: Route }
  | { readonly kind: 'relay'; readonly route: RelayRoute }
  | { readonly kind: 'tunnel'; readonly tunnel: string };

/** The kinds of {@link Routed}. */
export type RoutedKind = Routed['kind'];

/** A stored route as the dispatcher sees it. */
export function routedFor(route: Route): Routed {
  return route.relay === undefined ? { kind: 'proxy', route } : { kind: 'relay', route: route as RelayRoute };
}

/** The name the access log shows for what answered: the route's id or the tunnel's name. */
export function routedName(routed: Routed): string {
  return routed.kind === 'tunnel' ? routed.tunnel : routed.route.id;
}
