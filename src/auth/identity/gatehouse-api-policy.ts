import { type AdminUser, isAdmin } from './admin-policy.ts';
import { ADMIN_APP_CLIENT_ID } from './client-ids.ts';
import { anyMatches } from './policy.ts';
import { normalizeResource, type ResourcePolicy } from './resource-policy.ts';

/**
 * Gatehouse's own API as an OAuth resource (`<issuer>/api`): the admin API for administrators
 * (`admin`), and for everyone `--tunnel-users` admits, their own tunnels (`user`). Gatehouse's
 * MCP server (`/mcp` on an admin host, which `isMcpResource` recognises) is for administrators
 * only: `mcp` to read, `admin` to change. The admin web app (its own client) is for administrators
 * only too: anyone else is refused at login, not given a token the app cannot use. Any other
 * resource is the routes' to decide.
 */
export function gatehouseApiPolicy(
  issuer: string,
  admins: readonly AdminUser[],
  tunnelUsers: readonly string[],
  routes: ResourcePolicy,
  isMcpResource: (resource: URL) => boolean = () => false,
): ResourcePolicy {
  const audience = `${issuer}/api`;
  return async (resource, identity, clientId) => {
    if (isMcpResource(resource)) {
      if (!isAdmin(admins, identity))
        return {
          denied: `${identity.provider}:${identity.login} is not an administrator of this Gatehouse (--admin-users), so cannot use its MCP server`,
        };
      // The exact URL asked for, so the token's audience is the one resource the client named.
      return { audience: normalizeResource(resource), scopes: ['mcp', 'admin'] };
    }
    if (normalizeResource(resource) !== audience) return routes(resource, identity);
    if (isAdmin(admins, identity)) return { audience, scopes: ['admin', 'user'] };
    if (clientId === ADMIN_APP_CLIENT_ID)
      return {
        denied: `${identity.provider}:${identity.login} is not an administrator of this Gatehouse (--admin-users), so cannot sign in to its admin app`,
      };
    if (!anyMatches(tunnelUsers, identity))
      return {
        denied: `${identity.provider}:${identity.login} may not log in to this Gatehouse (--tunnel-users)`,
      };
    return { audience, scopes: ['user'] };
  };
}
