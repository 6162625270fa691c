import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import type { TLSSocket } from 'node:tls';
import { getRequestListener } from '@hono/node-server';
import type { Hono } from 'hono';
import { isControlPath } from '../admin/app.ts';
import type { AdminEnv } from '../admin/deps.ts';
import { sendEdgeError } from '../edge/error-page.ts';
import { EdgeError } from '../edge/errors.ts';
import { type ClientInfo, clientIp } from '../edge/forwarded.ts';
import { proxyRequest } from '../edge/proxy-request.ts';
import { proxyUpgrade } from '../edge/proxy-upgrade.ts';
import { writeRawResponse } from '../edge/raw-response.ts';
import { checkRequest } from '../edge/request-guard.ts';
import type { RouteCatalog } from '../edge/route-catalog.ts';
import type { UpstreamPool } from '../edge/upstream-pool.ts';
import { statusForCode } from '../http-status.ts';
import type { Logger } from '../observability/logger.ts';
import type { Metrics } from '../observability/metrics.ts';
import { isRelayRoute, type RelayService } from '../relay/relay-service.ts';
import { CONNECT_PATH } from '../tunnel/protocol.ts';
import type { TunnelService } from '../tunnel/tunnel-service.ts';

/** What the request handlers share. */
export interface EdgeHandlerDeps {
  readonly catalog: RouteCatalog;
  readonly pool: UpstreamPool;
  readonly admin: Hono<AdminEnv>;
  readonly tunnels: TunnelService;
  readonly relay: RelayService;
  readonly adminHosts: ReadonlySet<string>;
  readonly trustProxy: boolean;
  readonly logger: Logger;
  readonly metrics: Metrics;
}

type Kind = 'proxy' | 'admin' | 'edge' | 'tunnel';

/** The `request` and `upgrade` listeners of the edge: control plane on admin hosts, routing for the rest. */
export function createEdgeHandlers(deps: EdgeHandlerDeps) {
  const adminListener = getRequestListener(deps.admin.fetch);
  // Access lines are built here from chosen fields and never carry headers, so they skip the
  // redaction pass, which otherwise costs a measurable share of each proxied request.
  const access = deps.logger.child({}, { redact: { paths: [] } });

  const onError = (req: IncomingMessage, res: ServerResponse, error: EdgeError) => {
    if (error.code === 'UPSTREAM_UNREACHABLE' || error.code === 'UPSTREAM_TIMEOUT') {
      deps.metrics.upstreamErrors.inc({ code: error.code });
      deps.logger.warn({ code: error.code, cause: describeCause(error.cause) }, error.message);
    }
    sendEdgeError(req, res, error);
  };

  const accessLog = (
    req: IncomingMessage,
    res: ServerResponse,
    started: bigint,
    kind: Kind,
    target?: string,
  ) => {
    res.once('close', () => {
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      const status = res.headersSent ? res.statusCode : 499;
      deps.metrics.observe(kind, status, seconds);
      access.info(
        {
          kind,
          method: req.method,
          host: req.headers.host,
          // The query is left out on purpose: it carries OAuth codes, states and tokens.
          path: (req.url ?? '').split('?')[0],
          status,
          ms: Math.round(seconds * 1e4) / 10,
          ...(target ? { [kind === 'tunnel' ? 'tunnel' : 'route']: target } : {}),
          ...(res.writableFinished ? {} : { aborted: true }),
        },
        'request',
      );
    });
  };

  const request = (req: IncomingMessage, res: ServerResponse): void => {
    const started = process.hrtime.bigint();
    const checked = checkRequest(req);
    if (checked instanceof EdgeError) {
      accessLog(req, res, started, 'edge');
      sendEdgeError(req, res, checked);
      return;
    }
    if (deps.adminHosts.has(checked.host) && isControlPath(checked.target.path)) {
      accessLog(req, res, started, 'admin');
      closeIfBodyUnread(req, res);
      Promise.resolve(adminListener(req, res)).catch((error: unknown) => {
        deps.logger.error({ err: error }, 'admin handler failed');
        if (!res.headersSent) res.writeHead(500).end();
        else res.destroy();
      });
      return;
    }
    const tunnel = deps.tunnels.nameForHost(checked.host);
    if (tunnel) {
      accessLog(req, res, started, 'tunnel', tunnel);
      deps.tunnels
        .forward(req, res, tunnel, checked.target, clientOf(req, checked.rawHost), deps.trustProxy)
        .catch((error: unknown) => {
          deps.logger.error({ err: error }, 'tunnel forwarding failed');
          res.destroy();
        });
      return;
    }
    const route = deps.catalog.table.match(checked.host, checked.target.path);
    if (!route) {
      accessLog(req, res, started, 'edge');
      sendEdgeError(
        req,
        res,
        new EdgeError('ROUTE_NOT_FOUND', `No route serves ${checked.host}${checked.target.path}.`),
      );
      return;
    }
    accessLog(req, res, started, 'proxy', route.id);
    const client = clientOf(req, checked.rawHost);
    const forward = () =>
      proxyRequest(req, res, route, checked.target, client, {
        pool: deps.pool,
        trustForwarded: deps.trustProxy,
        onError,
      });
    const handled = isRelayRoute(route)
      ? deps.relay.handle(req, res, route, checked.target, client)
      : Promise.resolve(false);
    handled
      .then((relayed) => (relayed ? undefined : forward()))
      .catch((error: unknown) => {
        deps.logger.error({ err: error }, 'proxy failed');
        if (!res.headersSent) res.writeHead(500).end();
        else res.destroy();
      });
  };

  const upgrade = (req: IncomingMessage, socket: Duplex, head: Buffer): void => {
    const started = process.hrtime.bigint();
    socket.on('error', () => socket.destroy());
    const finish = (status: number, routeId?: string) => {
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      deps.metrics.observe(routeId ? 'proxy' : 'edge', status, seconds);
      access.info(
        {
          kind: 'upgrade',
          method: req.method,
          host: req.headers.host,
          path: (req.url ?? '').split('?')[0],
          status,
          ms: Math.round(seconds * 1e4) / 10,
          ...(routeId ? { route: routeId } : {}),
        },
        'request',
      );
    };
    const refuse = (error: EdgeError) => {
      const status = statusForCode(error.code);
      writeRawResponse(
        socket,
        status,
        [['content-type', 'application/json']],
        JSON.stringify({ error: error.code, message: error.message }),
      );
      finish(status);
    };
    const checked = checkRequest(req);
    if (checked instanceof EdgeError) {
      refuse(checked);
      return;
    }
    if (deps.adminHosts.has(checked.host) && checked.target.path === CONNECT_PATH) {
      deps.tunnels.handleConnect(req, socket, head);
      return;
    }
    const tunnel = deps.tunnels.nameForHost(checked.host);
    if (tunnel) {
      deps.tunnels.forwardUpgrade(
        req,
        socket,
        head,
        tunnel,
        checked.target,
        clientOf(req, checked.rawHost),
        deps.trustProxy,
        (status) => finish(status, tunnel),
      );
      return;
    }
    const route = deps.catalog.table.match(checked.host, checked.target.path);
    if (!route) {
      refuse(new EdgeError('ROUTE_NOT_FOUND', `No route serves ${checked.host}${checked.target.path}.`));
      return;
    }
    proxyUpgrade(req, socket, head, route, checked.target, clientOf(req, checked.rawHost), {
      trustForwarded: deps.trustProxy,
      onDone: (status) => finish(status, route.id),
    });
  };

  return { request, upgrade };
}

/**
 * An admin answer can come before the request body was read (401, 413). The unread rest is then
 * abandoned, so the connection must not be reused: say `Connection: close` in that case.
 */
function closeIfBodyUnread(req: IncomingMessage, res: ServerResponse): void {
  const writeHead = res.writeHead;
  res.writeHead = function (this: ServerResponse, ...args: Parameters<typeof writeHead>) {
    if (!req.complete) this.shouldKeepAlive = false;
    return writeHead.apply(this, args);
  } as typeof writeHead;
}

function clientOf(req: IncomingMessage, rawHost: string): ClientInfo {
  return {
    ip: clientIp(req.socket.remoteAddress),
    proto: (req.socket as TLSSocket).encrypted ? 'https' : 'http',
    host: rawHost,
  };
}

function describeCause(cause: unknown): string | undefined {
  if (!(cause instanceof Error)) return undefined;
  const code = (cause as { code?: string }).code;
  return code ? `${code}: ${cause.message}` : cause.message;
}
