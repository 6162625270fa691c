import { type AdminUser, isAdmin } from './admin-policy.ts';
import { anyMatches } from './policy.ts';
import { normalizeResource, type ResourcePolicy } from './resource-policy.ts';

/**
 * Gatehouse's own API as an OAuth resource (`<issuer>/api`): the admin API for administrators
 * (`admin`), and for everyone `--tunnel-users` admits, their own tunnels (`user`). Any other
 * resource is the routes' to decide.
 */
export function gatehouseApiPolicy(
  issuer: string,
  admins: readonly AdminUser[],
  tunnelUsers: readonly string[],
  routes: ResourcePolicy,
): ResourcePolicy {
  const audience = `${issuer}/api`;
  return async (resource, identity) => {
    if (normalizeResource(resource) !== audience) return routes(resource, identity);
    if (isAdmin(admins, identity)) return { audience, scopes: ['admin', 'user'] };
    if (!anyMatches(tunnelUsers, identity))
      return {
        denied: `${identity.provider}:${identity.login} may not log in to this Gatehouse (--tunnel-users)`,
      };
    return { audience, scopes: ['user'] };
  };
}
