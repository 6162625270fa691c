import { WebSocketServer } from 'ws';
import type { Clock } from '../../core/clock.ts';
import { GatehouseError } from '../../core/errors.ts';
import type { Logger } from '../../core/logger.ts';
import { sendEdgeError } from '../../http/error-page.ts';
import { sendJsonError, writeRawError } from '../../http/error-response.ts';
import type { RequestExchange, UpgradeExchange } from '../../http/exchange.ts';
import { escapeHtml } from '../../http/html-page.ts';
import type { Mount } from '../../routes/mount.ts';
import type { TelemetryFeed } from '../telemetry-feed.ts';
import { authorizeDashboard, type DashboardAccess, tokenFromSearch } from './dashboard-access.ts';
import { type DashboardAsset, DashboardAssets } from './dashboard-assets.ts';
import { type BroadcastLimits, DashboardBroadcast } from './dashboard-broadcast.ts';
import { DashboardError } from './dashboard-error.ts';

/** Where the page is served on the admin hosts. */
export const DASHBOARD_PATH = '/fleet/dashboard';
/** Where the page's WebSocket connects, `?token=…`. */
export const DASHBOARD_SOCKET_PATH = `${DASHBOARD_PATH}/ws`;

/** What the dashboard needs. */
export interface DashboardDeps {
  readonly feed: TelemetryFeed;
  /** `DASHBOARD_TOKEN`; without it the page and the socket answer 503 saying to set it. */
  readonly token: string | undefined;
  readonly clock: Clock;
  readonly logger?: Logger;
  /** The built page; `dist/dashboard/` of the package unless a test builds its own. */
  readonly assets?: DashboardAssets;
  readonly limits?: Partial<BroadcastLimits>;
}

/** The page's Content-Security-Policy: its own files and its own WebSocket, nothing else. */
export const DASHBOARD_CSP =
  "default-src 'self'; connect-src 'self'; img-src 'self' data:; frame-ancestors 'none'; base-uri 'none'; form-action 'self'";

/** The live dashboard: its mount on the admin hosts and the clients it sends to. */
export interface Dashboard {
  readonly mount: Mount;
  readonly broadcast: DashboardBroadcast;
  /**
   * The built page's file at `relative` (`''` or `/` is the page) as served under `base` (a path
   * such as `/tesla/dashboard`), for the Tesla login's own copy of the dashboard; the page names
   * `mode` in a meta tag so it knows how it is signed in.
   */
  file(relative: string, base: string, mode?: Readonly<Record<string, string>>): DashboardAsset | undefined;
  /** Completes an upgrade someone else authorised and streams `access`'s vehicles over it. */
  attach(exchange: UpgradeExchange, access: DashboardAccess): void;
  /** Closes every dashboard connection. */
  close(): void;
}

/**
 * The page at `/fleet/dashboard` and its WebSocket at `/fleet/dashboard/ws`, on the admin hosts:
 * browsers, which cannot present vehicle certificates, so never on the mTLS listener. The socket
 * is authorised by `?token=` before the upgrade; a refused token gets its 401 and no upgrade.
 */
export function createDashboard(deps: DashboardDeps): Dashboard {
  const assets = deps.assets ?? new DashboardAssets();
  const broadcast = new DashboardBroadcast({
    feed: deps.feed,
    clock: deps.clock,
    ...(deps.limits ? { limits: deps.limits } : {}),
    ...(deps.logger ? { logger: deps.logger } : {}),
  });
  // Dashboards only listen: what they send is capped small and ignored.
  const wss = new WebSocketServer({
    noServer: true,
    clientTracking: false,
    maxPayload: 4096,
    perMessageDeflate: false,
  });
  const authorize = (search: string) => authorizeDashboard(tokenFromSearch(search), deps.token, deps.clock);

  const upgrade = async (exchange: UpgradeExchange): Promise<void> => {
    const { req, socket, target } = exchange;
    try {
      if (target.path !== DASHBOARD_SOCKET_PATH)
        throw new GatehouseError('NOT_FOUND', `The dashboard's WebSocket is at ${DASHBOARD_SOCKET_PATH}.`);
      const access = await authorize(target.search);
      if (String(req.headers.upgrade).toLowerCase() !== 'websocket')
        throw new DashboardError('FLEET_DASHBOARD_UPGRADE_REQUIRED', 'The dashboard speaks WebSocket only.');
      attach(exchange, access);
    } catch (error) {
      exchange.done(writeRawError(socket, error));
    }
  };

  const attach = (exchange: UpgradeExchange, access: DashboardAccess): void => {
    const { req, socket, head } = exchange;
    if (socket.destroyed) return;
    wss.handleUpgrade(req, socket, head, (ws) => {
      broadcast.add(ws, access, socket);
      exchange.done(101);
    });
  };

  const request = async (exchange: RequestExchange): Promise<void> => {
    const { req, res, target } = exchange;
    try {
      if (target.path === DASHBOARD_SOCKET_PATH) {
        // The page asks here why a WebSocket was refused: browsers do not show the 401's reason.
        await authorize(target.search);
        throw new DashboardError(
          'FLEET_DASHBOARD_UPGRADE_REQUIRED',
          'The token is good: open this URL as a WebSocket.',
        );
      }
      if (req.method !== 'GET' && req.method !== 'HEAD') {
        res.setHeader('allow', 'GET, HEAD');
        throw new GatehouseError('METHOD_NOT_ALLOWED', 'The dashboard is read with GET.');
      }
      if (!deps.token) await authorize(target.search);
      const asset = assets.get(target.path.slice(DASHBOARD_PATH.length));
      if (!asset) throw new GatehouseError('NOT_FOUND', `The dashboard has no file at ${target.path}.`);
      res.writeHead(200, {
        'content-type': asset.contentType,
        'content-length': asset.body.length,
        'cache-control': asset.immutable ? 'public, max-age=31536000, immutable' : 'no-store',
        'x-content-type-options': 'nosniff',
        // The token travels in the page's URL: it must not leak to other sites or frames.
        'referrer-policy': 'no-referrer',
        'content-security-policy': DASHBOARD_CSP,
      });
      res.end(req.method === 'HEAD' ? undefined : asset.body);
    } catch (error) {
      if (target.path === DASHBOARD_SOCKET_PATH) sendJsonError(res, error);
      else sendEdgeError(req, res, error);
    }
  };

  return {
    mount: { kind: 'dashboard', hosts: 'admin', paths: { prefixes: [DASHBOARD_PATH] }, request, upgrade },
    broadcast,
    file: (relative, base, mode) => {
      const asset = assets.get(relative);
      if (!asset || (relative !== '' && relative !== '/')) return asset;
      // The build links its files under /fleet/dashboard/; this copy lives under `base`.
      const meta = Object.entries(mode ?? {})
        .map(([name, value]) => `<meta name="gatehouse-${name}" content="${escapeHtml(value)}">`)
        .join('');
      const html = asset.body
        .toString('utf8')
        .replaceAll(`"${DASHBOARD_PATH}/`, `"${base}/`)
        .replace('<head>', `<head>${meta}`);
      return { ...asset, body: Buffer.from(html, 'utf8') };
    },
    attach,
    close: () => {
      broadcast.close();
      wss.close();
    },
  };
}
