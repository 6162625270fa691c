import type { Logger } from '../../core/logger.ts';
import type { SealingKey } from '../../core/sealing.ts';
import type { RouteTable } from '../../routes/route-table.ts';
import type { UpstreamProvider } from '../identity/identity.ts';
import type { LoginProviders } from '../identity/login-providers.ts';
import type { ProviderRegistry, RouteApps } from '../upstream/provider-registry.ts';
import { type ProtectedRoute, protectedRouteFor } from './protected-routes.ts';
import { routeProviderCredentials } from './route-secrets.ts';

/** What {@link routeLoginProviders} reads: the built providers, the live routes, the sealing key. */
export interface RouteProvidersDeps {
  readonly registry: ProviderRegistry;
  readonly table: () => RouteTable;
  /** The key route secrets are sealed with; undefined without `GATEHOUSE_SECRET_KEY`. */
  readonly secretsKey: () => SealingKey | undefined;
  readonly logger: Logger;
}

const sameApp = (a: UpstreamProvider, b: UpstreamProvider) => a.id === b.id && a.clientId === b.clientId;

/**
 * Login providers per resource: a protected route's own apps in place of the global ones, narrowed
 * to its `auth.login` list; any other resource (Gatehouse's API, an unknown URL) the global ones.
 * A route app whose secret does not open is left out, never replaced by the global app: the
 * route's owner chose that app (an org may approve only it).
 */
export function routeLoginProviders(deps: RouteProvidersDeps): LoginProviders {
  const ofRoute = (route: ProtectedRoute): readonly UpstreamProvider[] => {
    const apps: { -readonly [K in keyof RouteApps]: RouteApps[K] } = {};
    const unusable = new Set<string>();
    const key = deps.secretsKey();
    for (const id of Object.keys(route.auth.providers ?? {})) {
      const opened = key && routeProviderCredentials(route, id, key);
      if (opened && (id === 'github' || id === 'gitlab')) apps[id] = opened;
      else {
        unusable.add(id);
        deps.logger.warn(
          { route: route.id, provider: id },
          "the route's own login app does not open with GATEHOUSE_SECRET_KEY: send its client secret again",
        );
      }
    }
    const login = route.auth.login;
    return deps.registry
      .forRoute(apps)
      .filter((p) => !unusable.has(p.id) && (!login || login.includes(p.id)));
  };
  const ofResource = (resource: string): readonly UpstreamProvider[] => {
    const url = URL.parse(resource);
    const route = url ? protectedRouteFor(deps.table(), url) : undefined;
    return route ? ofRoute(route) : deps.registry.global;
  };
  return {
    forResources(resources) {
      if (resources.length === 0) return deps.registry.global;
      const [first, ...rest] = resources.map(ofResource);
      return first!.filter((p) => rest.every((list) => list.some((q) => sameApp(p, q))));
    },
  };
}
