import { fileURLToPath } from 'node:url';
import { GatehouseError } from '../core/errors.ts';
import { sendEdgeError } from '../http/error-page.ts';
import type { RequestExchange } from '../http/exchange.ts';
import type { Mount } from '../routes/mount.ts';
import { DashboardAssets } from '../telemetry/dashboard/dashboard-assets.ts';
import { AdminError } from './errors.ts';

/** Where the admin web app is served on the admin hosts. */
export const ADMIN_APP_PATH = '/ui';

/** Where `npm run build` puts the app: `dist/admin-app/` in the package (from src/ and dist/ alike). */
export const ADMIN_APP_BUILD_DIR = fileURLToPath(new URL('../../dist/admin-app/', import.meta.url));

/**
 * The app only talks to its own origin; it keeps the API key in sessionStorage, so nothing from
 * elsewhere may run in it, frame it, or see where it was.
 */
const POLICY =
  "default-src 'self'; connect-src 'self'; img-src 'self' data:; style-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'";

/** True when a route serves this host's `/`: then `/` is the route's, not a way to the app. */
export type ServesRoot = (host: string) => boolean;

/**
 * The admin web app at `/ui` on the admin hosts, and `/` there leading to it (unless a route
 * serves `/` on that host). A built Vite app: every file comes from the package.
 */
export function adminAppMount(servesRoot: ServesRoot, dir: string = ADMIN_APP_BUILD_DIR): Mount {
  const assets = new DashboardAssets(
    dir,
    (index) =>
      new AdminError('ADMIN_APP_NOT_BUILT', `The admin app is not built (no ${index}): run npm run build.`),
  );
  const request = async ({ req, res, target }: RequestExchange): Promise<void> => {
    try {
      if (req.method !== 'GET' && req.method !== 'HEAD') {
        res.setHeader('allow', 'GET, HEAD');
        throw new GatehouseError('METHOD_NOT_ALLOWED', 'The admin app is read with GET.');
      }
      if (target.path === '/') {
        res.writeHead(302, { location: `${ADMIN_APP_PATH}/`, 'cache-control': 'no-store' });
        res.end();
        return;
      }
      const asset = assets.get(target.path.slice(ADMIN_APP_PATH.length));
      if (!asset) throw new GatehouseError('NOT_FOUND', `The admin app has no file at ${target.path}.`);
      res.writeHead(200, {
        'content-type': asset.contentType,
        'content-length': asset.body.length,
        'cache-control': asset.immutable ? 'public, max-age=31536000, immutable' : 'no-store',
        'x-content-type-options': 'nosniff',
        'referrer-policy': 'no-referrer',
        'content-security-policy': POLICY,
      });
      res.end(req.method === 'HEAD' ? undefined : asset.body);
    } catch (error) {
      sendEdgeError(req, res, error);
    }
  };
  return {
    kind: 'admin-app',
    hosts: 'admin',
    paths: { exact: ['/'], prefixes: [ADMIN_APP_PATH] },
    request,
    declines: async (host, path) => path === '/' && servesRoot(host),
  };
}
