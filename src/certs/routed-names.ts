import type { Route } from '../routes/route.ts';

/**
 * Whether a route is there for `name` itself: its exact host, or a `*.` host one label up. A
 * catch-all `*` route does not count, or anyone could have certificates ordered for any name.
 */
export function routeServesName(routes: readonly Pick<Route, 'host'>[], name: string): boolean {
  const host = name.toLowerCase();
  const dot = host.indexOf('.');
  const parent = dot === -1 ? undefined : `*${host.slice(dot)}`;
  return routes.some((r) => r.host === host || (parent !== undefined && r.host === parent));
}
