import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo, Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import { createAdminApp } from '../admin/app.ts';
import { AdminKeys } from '../auth/admin-keys.ts';
import type { ServeConfig } from '../config/schema.ts';
import { writeRawResponse } from '../edge/raw-response.ts';
import { parserErrorStatus } from '../edge/request-guard.ts';
import { RouteCatalog } from '../edge/route-catalog.ts';
import { UpstreamPool } from '../edge/upstream-pool.ts';
import type { Logger } from '../observability/logger.ts';
import { Metrics } from '../observability/metrics.ts';
import { relayAllowed } from '../relay/environment.ts';
import { type RelayDeps, RelayService } from '../relay/relay-service.ts';
import { openStore } from '../store/open-store.ts';
import type { Store } from '../store/types.ts';
import { TunnelService } from '../tunnel/tunnel-service.ts';
import { createEdgeHandlers } from './edge-handler.ts';
import { loadTlsContexts } from './tls-contexts.ts';

/** Options of {@link startGateway}. */
export interface GatewayOptions {
  readonly config: ServeConfig;
  readonly logger: Logger;
  /** `GATEHOUSE_ADMIN_KEY`, if set. */
  readonly adminKey?: string | undefined;
  /** The deployment environment (`GATEHOUSE_ENV` or `ENV`); the relay runs only in allowed ones. */
  readonly environment?: string | undefined;
  /** How the relay reaches URL targets; the default resolves with DNS and allows public addresses only. */
  readonly relayNetwork?: RelayDeps['network'];
  /** A store to use instead of opening the configured one (it is still closed on stop). */
  readonly store?: Store;
}

/** A running Gatehouse: its listeners, the admin key made on first start, and a way to stop. */
export interface Gateway {
  readonly httpPort: number;
  readonly httpsPort: number | undefined;
  /** The admin key created on this start, if this was a first start without `GATEHOUSE_ADMIN_KEY`. */
  readonly bootstrapKey: string | undefined;
  readonly store: Store;
  readonly tunnels: TunnelService;
  /** Stops accepting, lets in-flight requests finish up to the shutdown timeout, then closes the store. */
  stop(): Promise<void>;
}

/** Opens the store, loads routes and starts listening. */
export async function startGateway(options: GatewayOptions): Promise<Gateway> {
  const { config, logger } = options;
  const tls = loadTlsContexts(config.tls);
  const store = options.store ?? (await openStore({ storeUrl: config.store, dataDir: config.data }));
  const metrics = new Metrics();
  const catalog = new RouteCatalog(store, (error) => logger.error({ err: error }, 'reloading routes failed'));
  await catalog.start();
  const keys = new AdminKeys(store, options.adminKey);
  const bootstrapKey = await keys.bootstrap();
  const pool = new UpstreamPool();
  let accepting = true;
  let httpPort = 0;
  let httpsPort: number | undefined;
  const tunnels = new TunnelService({
    store,
    settings: config.tunnels,
    logger,
    metrics,
    domain: config.domain,
    publicBase: () => publicBase(tls !== undefined, httpPort, httpsPort),
  });
  await tunnels.start();
  const relayActive = relayAllowed(config.relay.enabled, options.environment, config.relay.environments);
  if (config.relay.enabled && !relayActive) {
    logger.warn(
      { environment: options.environment ?? null, allowed: config.relay.environments },
      'relay requested but refused: GATEHOUSE_ENV (or ENV) is not one of the allowed environments',
    );
  }
  const relay = new RelayService({
    store,
    tunnels,
    globals: { active: relayActive, secret: config.relay.secret, maxTtlSeconds: config.relay.maxTtlSeconds },
    logger,
    trustForwarded: config.trustProxy,
    ...(options.relayNetwork ? { network: options.relayNetwork } : {}),
  });

  const admin = createAdminApp({
    store,
    catalog,
    keys,
    tunnels,
    relay,
    metrics,
    now: () => new Date(),
    accepting: () => accepting,
  });
  const adminHosts = new Set(['localhost', '127.0.0.1', '[::1]', config.domain]);
  const handlers = createEdgeHandlers({
    catalog,
    pool,
    admin,
    tunnels,
    relay,
    adminHosts,
    trustProxy: config.trustProxy,
    logger,
    metrics,
  });

  const upgraded = new Set<Duplex>();
  // Requests being answered; shutdown drains them before closing tunnels and connections.
  let inFlight = 0;
  // The latest response on each connection, for a parse error that follows a request.
  const answering = new WeakMap<Duplex, ServerResponse>();
  const servers: Server[] = [];
  const configure = (server: Server) => {
    server.maxHeadersCount = 200;
    // Streams of any length are fine; stalled ones are cut by the per-route idle timeouts.
    server.requestTimeout = 0;
    server.headersTimeout = 30_000;
    server.keepAliveTimeout = 65_000;
    server.on('request', (req: IncomingMessage, res: ServerResponse) => {
      inFlight++;
      answering.set(req.socket, res);
      res.once('close', () => {
        inFlight--;
      });
      handlers.request(req, res);
    });
    server.on('upgrade', (req, socket: Duplex, head: Buffer) => {
      upgraded.add(socket);
      socket.once('close', () => upgraded.delete(socket));
      handlers.upgrade(req, socket, head);
    });
    server.on('connect', (_req, socket: Duplex) => {
      writeRawResponse(socket, 405, [['content-type', 'text/plain']], 'CONNECT is not supported.\n');
    });
    server.on('connection', (socket: Socket) => {
      metrics.openConnections.inc();
      socket.once('close', () => metrics.openConnections.dec());
    });
    server.on('clientError', (error: NodeJS.ErrnoException, socket: Duplex) => {
      if (error.code === 'ECONNRESET' || !socket.writable) {
        socket.destroy();
        return;
      }
      const { status, message } = parserErrorStatus(error.code);
      metrics.observe('edge', status, 0);
      logger.info({ kind: 'edge', status, code: error.code }, 'rejected malformed request');
      const refuse = () => writeRawResponse(socket, status, [['content-type', 'text/plain']], `${message}\n`);
      const pending = answering.get(socket);
      if (!pending || pending.writableFinished || pending.destroyed) {
        refuse();
      } else if (pending.req.complete) {
        // The bad bytes follow a whole request, which the upstream may have acted on: answer it first.
        pending.once('finish', refuse);
      } else {
        // The bad bytes broke the body being read. Once the refusal is out the connection goes, and
        // with it the request, so the upstream sees it aborted instead of waiting for the rest.
        if (pending.headersSent) socket.destroy();
        else refuse();
        socket.once('finish', () => socket.destroy());
      }
    });
    servers.push(server);
    return server;
  };

  const httpServer = configure(
    createServer({ maxHeaderSize: config.maxHeaderSize, requireHostHeader: false }),
  );
  httpPort = await listen(httpServer, config.port, config.host);
  if (tls) {
    const httpsServer = configure(
      createHttpsServer({
        maxHeaderSize: config.maxHeaderSize,
        requireHostHeader: false,
        ...(tls.defaultCert ?? {}),
        SNICallback: (name, cb) => cb(null, tls.select(name)),
      }) as unknown as Server,
    );
    httpsPort = await listen(httpsServer, config.tls.port, config.host);
  }

  let stopping: Promise<void> | undefined;
  const stop = () => {
    stopping ??= (async () => {
      accepting = false;
      for (const s of servers) s.close();
      // Keep-alive connections become idle as their requests finish; close each as it does.
      // Requests through tunnels drain too: the agents stay connected until nothing is in flight.
      const deadline = Date.now() + config.shutdownTimeoutMs;
      while (inFlight > 0 && Date.now() < deadline) {
        for (const s of servers) s.closeIdleConnections();
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      if (inFlight > 0) logger.warn({ inFlight }, 'shutdown timeout reached; closing remaining connections');
      tunnels.stop();
      for (const s of servers) s.closeAllConnections();
      for (const socket of upgraded) socket.destroy();
      catalog.stop();
      await pool.close();
      await store.close();
    })();
    return stopping;
  };

  return { httpPort, httpsPort, bootstrapKey, store, tunnels, stop };
}

function listen(server: Server, port: number, host: string | undefined): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve((server.address() as AddressInfo).port);
    });
  });
}

/** Scheme and port suffix of public URLs: https when TLS is on, ports left out when standard. */
function publicBase(
  tls: boolean,
  httpPort: number,
  httpsPort: number | undefined,
): { scheme: string; port: string } {
  if (tls && httpsPort !== undefined)
    return { scheme: 'https', port: httpsPort === 443 ? '' : `:${httpsPort}` };
  return { scheme: 'http', port: httpPort === 80 ? '' : `:${httpPort}` };
}
