import type { Route, RouteOf, UpstreamRoute } from './route.ts';

/** A relay route. */
export type RelayRoute = RouteOf<'relay'>;

/**
 * What a request was routed to, by kind; each kind has one handler. A relay hands what is not
 * its own to the proxy handler, so a proxy may carry a relay route. `tunnel` is also what a
 * tunnel's own host (`<name>.<domain>`) resolves to, without a stored route.
 */
export type Routed =
  | { readonly kind: 'proxy'; readonly route: UpstreamRoute }
  | { readonly kind: 'relay'; readonly route: RelayRoute }
  | { readonly kind: 'tunnel'; readonly tunnel: string; readonly route?: RouteOf<'tunnel'> }
  | { readonly kind: 'static'; readonly route: RouteOf<'static'> }
  | { readonly kind: 'fleet-proxy'; readonly route: RouteOf<'fleet-proxy'> }
  | { readonly kind: 'fleet-login'; readonly route: RouteOf<'fleet-login'> }
  | { readonly kind: 'mcp'; readonly route: RouteOf<'mcp'> };

/** The kinds of {@link Routed}. */
export type RoutedKind = Routed['kind'];

/** A stored route as the dispatcher sees it. */
export function routedFor(route: Route): Routed {
  switch (route.kind) {
    case 'proxy':
      return { kind: 'proxy', route };
    case 'relay':
      return { kind: 'relay', route };
    case 'tunnel':
      return { kind: 'tunnel', tunnel: route.tunnel, route };
    case 'static':
      return { kind: 'static', route };
    case 'fleet-proxy':
      return { kind: 'fleet-proxy', route };
    case 'fleet-login':
      return { kind: 'fleet-login', route };
    case 'mcp':
      return { kind: 'mcp', route };
  }
}

/** The name the access log shows for what answered: the route's id, or a tunnel host's name. */
export function routedName(routed: Routed): string {
  return routed.kind === 'tunnel' && !routed.route ? routed.tunnel : routed.route!.id;
}
