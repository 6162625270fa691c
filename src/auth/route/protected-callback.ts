import type { RouteTable } from '../../routes/route-table.ts';
import { SESSION_PATHS } from '../sessions/route-login.ts';
import { isProtected } from './protected-routes.ts';

/**
 * Whether the edge client may be sent back to `uri` with a code: the auth host's own callback, or
 * the callback path under a protected route, on the issuer's scheme, with no query or fragment.
 */
export function protectedCallback(table: RouteTable, issuer: string, uri: string): boolean {
  const url = URL.parse(uri);
  if (!url || url.search || url.hash || url.protocol !== new URL(issuer).protocol) return false;
  if (!url.pathname.endsWith(SESSION_PATHS.callback)) return false;
  if (url.host === new URL(issuer).host && url.pathname === SESSION_PATHS.callback) return true;
  return isProtected(table.match(url.hostname, url.pathname));
}
