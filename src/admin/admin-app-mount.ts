import { fileURLToPath } from 'node:url';
import { GatehouseError } from '../core/errors.ts';
import { sendEdgeError } from '../http/error-page.ts';
import type { RequestExchange } from '../http/exchange.ts';
import { publicScheme } from '../http/forwarded.ts';
import type { Mount } from '../routes/mount.ts';
import { DashboardAssets } from '../telemetry/dashboard/dashboard-assets.ts';
import { type AdminAppSignIn, adminAppPolicy, NO_LOGIN } from './admin-app-sign-in.ts';
import { AdminError } from './errors.ts';

/** Where the admin web app is served on the admin hosts. */
export const ADMIN_APP_PATH = '/ui';

/** Where `npm run build` puts the app: `dist/admin-app/` in the package (from src/ and dist/ alike). */
export const ADMIN_APP_BUILD_DIR = fileURLToPath(new URL('../../dist/admin-app/', import.meta.url));

/** The document that tells the app which sign-in it may offer. */
export const ADMIN_APP_SIGN_IN_PATH = `${ADMIN_APP_PATH}/sign-in.json`;

/** True when a route serves this host's `/`: then `/` is the route's, not a way to the app. */
export type ServesRoot = (host: string) => boolean;

/** How the app signs people in besides an API key, and how the page's own origin is told. */
export interface AdminAppSignInOptions {
  /** The login the app may offer now (the authorization server starts after the mount exists). */
  readonly signIn: () => AdminAppSignIn;
  /** Behind another proxy: the page's scheme is its `X-Forwarded-Proto`. */
  readonly trustProxy: boolean;
}

/**
 * The admin web app at `/ui` on the admin hosts, and `/` there leading to it (unless a route
 * serves `/` on that host). A built Vite app: every file comes from the package, but for
 * `/ui/sign-in.json`, which says whether the app may offer the admin login.
 */
export function adminAppMount(
  servesRoot: ServesRoot,
  dir: string = ADMIN_APP_BUILD_DIR,
  login: AdminAppSignInOptions = { signIn: () => NO_LOGIN, trustProxy: false },
): Mount {
  const assets = new DashboardAssets(
    dir,
    (index) =>
      new AdminError('ADMIN_APP_NOT_BUILT', `The admin app is not built (no ${index}): run npm run build.`),
  );
  const request = async (exchange: RequestExchange): Promise<void> => {
    const { req, res, target } = exchange;
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
      const signIn = login.signIn();
      if (target.path === ADMIN_APP_SIGN_IN_PATH) {
        const body = Buffer.from(JSON.stringify(signIn));
        res.writeHead(200, {
          'content-type': 'application/json',
          'content-length': body.length,
          'cache-control': 'no-store',
          'x-content-type-options': 'nosniff',
        });
        res.end(req.method === 'HEAD' ? undefined : body);
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
        'content-security-policy': adminAppPolicy(pageOrigin(exchange, login.trustProxy), signIn),
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

/** The origin the page was opened on, as the browser sees it; undefined when the Host is not one. */
function pageOrigin(exchange: RequestExchange, trustProxy: boolean): string | undefined {
  return URL.parse(`${publicScheme(exchange, trustProxy)}://${exchange.rawHost}`)?.origin;
}
