import { randomBytes } from 'node:crypto';
import type { Server } from 'node:http';
import { hostname } from 'node:os';
import type { Duplex } from 'node:stream';
import { adminAppMount } from '../admin/admin-app-mount.ts';
import { adminMount } from '../admin/admin-mount.ts';
import { adminService } from '../admin/admin-service.ts';
import { createAdminApp } from '../admin/app.ts';
import type { AdminDeps } from '../admin/deps.ts';
import { AdminKeys } from '../auth/keys/admin-keys.ts';
import { metadataRoute } from '../auth/route/protected-resource-metadata.ts';
import { type RouteAuthDeps, routeAuthGuards } from '../auth/route/route-auth-guard.ts';
import { routeSecretsKey, sealRouteSecrets } from '../auth/route/route-secrets.ts';
import { verifiedIdentity } from '../auth/route/verified-identity.ts';
import type { AuthorizationServer } from '../auth/server/authorization-server.ts';
import type { CertificateManager } from '../certs/certificate-manager.ts';
import { listenersOf, type ServeConfig } from '../config/schema.ts';
import { type Clock, systemClock } from '../core/clock.ts';
import type { Logger } from '../core/logger.ts';
import { Metrics } from '../core/metrics.ts';
import { loadOrCreateSecretKey, parseSecretKey } from '../core/secret-key.ts';
import { createDispatcher } from '../edge/dispatcher.ts';
import { defaultConnectionLimit } from '../edge/listen/connection-limits.ts';
import { type ListenerDeps, type RunningListener, startListener } from '../edge/listen/listener.ts';
import { type CertificateSet, loadCertificates } from '../edge/listen/tls-contexts.ts';
import { proxyHandler } from '../edge/proxy/proxy-handler.ts';
import { staticHandler } from '../edge/proxy/static-handler.ts';
import { UpstreamPool } from '../edge/proxy/upstream-pool.ts';
import { RouteCatalog } from '../edge/routing/route-catalog.ts';
import { RouteService } from '../edge/routing/route-service.ts';
import type { Fetch } from '../fleet/api/fleet-api.ts';
import { fleetKeyMount } from '../fleet/key-mount.ts';
import { type FleetKey, loadFleetKey } from '../fleet/keys.ts';
import { fleetLoginHandler } from '../fleet/login/fleet-login-handler.ts';
import { fleetProxyHandler } from '../fleet/proxy/fleet-proxy-handler.ts';
import { AnonymousWrites } from '../http/anonymous-writes.ts';
import type { Exchange } from '../http/exchange.ts';
import { mcpEndpoint } from '../mcp/mcp-endpoint.ts';
import { mcpMount } from '../mcp/mcp-mount.ts';
import { McpAudit } from '../mcp/route/mcp-audit.ts';
import { mcpRouteHandler } from '../mcp/route/mcp-route-handler.ts';
import { relayAllowed } from '../relay/environment.ts';
import { relayHandler } from '../relay/relay-handler.ts';
import { type RelayDeps, RelayService } from '../relay/relay-service.ts';
import { routedFor } from '../routes/routed.ts';
import { openStore } from '../store/open-store.ts';
import { RequestRecorder } from '../store/request-recorder.ts';
import type { Store } from '../store/types.ts';
import { DashboardAssets } from '../telemetry/dashboard/dashboard-assets.ts';
import { createDashboard } from '../telemetry/dashboard/dashboard-mount.ts';
import { EMPTY_FEED } from '../telemetry/dashboard/feed.ts';
import { readFrame } from '../telemetry/receiver/frame-reader.ts';
import type { SinkFactory } from '../telemetry/receiver/sink-registry.ts';
import { startTelemetryReceiver, type TelemetryReceiver } from '../telemetry/receiver/telemetry-receiver.ts';
import { storedVehicles } from '../telemetry/state/stored-vehicles.ts';
import type { TelemetryFeed } from '../telemetry/telemetry-feed.ts';
import { nodeLinkKey } from '../tunnel/server/node-link-auth.ts';
import { nodeLinkMount, tunnelConnectMount, tunnelHandler } from '../tunnel/server/tunnel-handler.ts';
import { TunnelService } from '../tunnel/server/tunnel-service.ts';
import { adminHostsOf } from './admin-hosts.ts';
import { automaticCertificates } from './automatic-certificates.ts';
import { Closers } from './closers.ts';
import { edgeAuth } from './edge-auth.ts';
import { InFlight } from './in-flight.ts';

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
  /** The time source of everything in the gateway; the wall clock unless a test freezes it. */
  readonly clock?: Clock;
  /** How `fleet-login` routes reach Tesla; `fetch` unless a test counts the calls. */
  readonly fleetFetch?: Fetch;
  /** Telemetry sinks beside `store` and `logger`, by the name `telemetry.records` uses. */
  readonly telemetrySinks?: Readonly<Record<string, SinkFactory>>;
  /** The records the live dashboard shows: the receiver's unless a test feeds its own. */
  readonly telemetryFeed?: TelemetryFeed;
  /** The built dashboard page; the package's dist/dashboard/ unless a test built its own. */
  readonly dashboardDir?: string;
  /** How often a Tesla login's open dashboard looks whether the login still holds; 15 s unless a test wants it sooner. */
  readonly fleetLoginCheckMs?: number;
  /** The built admin web app; the package's dist/admin-app/ unless a test built its own. */
  readonly adminAppDir?: string;
  /** The authorization server routes with `auth` check tokens against; without it they answer 503. */
  readonly routeAuth?: Omit<RouteAuthDeps, 'clock' | 'trustForwarded'>;
}

/** A running Gatehouse: its listeners, the admin key made on first start, and a way to stop. */
export interface Gateway {
  /** The port of the first plain-HTTP listener (0 when there is none). */
  readonly httpPort: number;
  /** The port of the first HTTPS listener. */
  readonly httpsPort: number | undefined;
  /** Every listener with its bound port; HTTPS ones with the certificates they serve (add to them at run time). */
  readonly listeners: readonly {
    readonly name: string;
    readonly port: number;
    readonly certificates: CertificateSet | undefined;
  }[];
  /** The admin key created on this start, if this was a first start without `GATEHOUSE_ADMIN_KEY`. */
  readonly bootstrapKey: string | undefined;
  readonly store: Store;
  readonly tunnels: TunnelService;
  /** The Tesla application key whose public half is served, when one is configured. */
  readonly fleetKey: FleetKey | undefined;
  /** The Fleet Telemetry receiver, when `telemetry.port` is set: its port, live feed and state. */
  readonly telemetry: TelemetryReceiver | undefined;
  /** Automatic certificates (ACME), when on. */
  readonly certificates: CertificateManager | undefined;
  /** The OAuth authorization server on the auth host; undefined when it could not start (see the log). */
  readonly authorizationServer: () => AuthorizationServer | undefined;
  /** Stops accepting, lets in-flight requests finish up to the shutdown timeout, then closes the store. */
  stop(): Promise<void>;
}

/** Opens the store, loads routes and starts listening. */
export async function startGateway(options: GatewayOptions): Promise<Gateway> {
  const { config, logger } = options;
  const clock = options.clock ?? systemClock;
  // Certificates load before anything else starts, so a bad one stops the start at once.
  const specs = listenersOf(config);
  const tls = specs.map((spec, i) => {
    if (!spec.tls) return undefined;
    const where = config.listeners ? `listeners.${i}.tls` : 'tls';
    return loadCertificates(spec.tls, where);
  });
  const fleetKey = loadFleetKey({
    file: config.fleet.key,
    privateKeyEnv: config.fleet.privateKey,
    publicKeyPath: config.fleet.publicKeyPath,
  });
  const closers = new Closers(logger);
  const store = options.store ?? (await openStore({ storeUrl: config.store, dataDir: config.data, clock }));
  closers.add('store', () => store.close());
  const metrics = new Metrics();
  const catalog = new RouteCatalog(store, (error) => logger.error({ err: error }, 'reloading routes failed'));
  await closers.starting(() => catalog.start());
  closers.add('route catalog', () => catalog.stop());
  const keys = new AdminKeys(store, options.adminKey, clock);
  const bootstrapKey = await closers.starting(() => keys.bootstrap());
  const pool = new UpstreamPool();
  closers.add('upstream pool', () => pool.close());
  // Client connections close after every part that answers on them (tunnels and dashboards say
  // goodbye first) and before the upstream pool, which waits for the requests they carry.
  const servers: Server[] = [];
  const upgraded = new Set<Duplex>();
  closers.add('connections', () => {
    for (const s of servers) s.closeAllConnections();
    for (const socket of upgraded) socket.destroy();
  });
  let accepting = true;
  let httpPort = 0;
  let httpsPort: number | undefined;
  const secretKey = secretKeySource(config, logger);
  const routeSecrets = () => {
    const key = secretKey();
    return key && routeSecretsKey(key);
  };
  const tunnels = new TunnelService({
    store,
    settings: config.tunnels,
    logger,
    metrics,
    domain: config.domain,
    publicBase: () => publicBase(httpPort, httpsPort),
    passthroughPort: () => httpsPort,
    trustForwarded: config.trustProxy,
    clock,
    cluster: clusterOptions(config, secretKey(), () => httpPort),
  });
  await closers.starting(() => tunnels.start());
  closers.add('tunnels', () => tunnels.stop());
  // Anyone may start a login or register a client: each stores something, so each is rate limited.
  const anonymousWrites = new AnonymousWrites(clock);
  const admitWrite = (exchange: Exchange) => anonymousWrites.admit(exchange, config.trustProxy);
  const auth = edgeAuth({
    admitWrite,
    config,
    store,
    clock,
    logger,
    secretKey,
    routeSecrets,
    catalog,
    tunnels,
  });
  tunnels.connections.acceptLogins(auth.tokenTunnel);
  const relayActive = relayAllowed(config.relay.enabled, options.environment, config.relay.environments);
  if (config.relay.enabled && !relayActive) {
    logger.warn(
      { environment: options.environment ?? null, allowed: config.relay.environments },
      'relay requested but refused: GATEHOUSE_ENV (or ENV) is not one of the allowed environments',
    );
  }
  const proxy = proxyHandler({ pool, trustForwarded: config.trustProxy, logger, metrics });
  const relay = new RelayService({
    store,
    tunnels,
    upstream: proxy,
    clock,
    globals: { active: relayActive, secret: config.relay.secret, maxTtlSeconds: config.relay.maxTtlSeconds },
    logger,
    trustForwarded: config.trustProxy,
    ...(options.relayNetwork ? { network: options.relayNetwork } : {}),
  });

  if (config.store && !config.secretKey && (await store.routes.list()).some((r) => r.kind === 'fleet-login'))
    logger.warn(
      'fleet-login routes answer 503 until GATEHOUSE_SECRET_KEY is set: with Redis every node needs the same key',
    );
  const fleetLogin = fleetLoginHandler({
    admitWrite,
    store,
    clock,
    logger,
    tesla: config.tesla,
    secretKey,
    fetch: options.fleetFetch,
    trustForwarded: config.trustProxy,
    // Made below, once the telemetry it shows exists; asked for only when a request comes.
    dashboard: () => dashboard,
    loginCheckMs: options.fleetLoginCheckMs,
  });

  let telemetry: TelemetryReceiver | undefined;
  if (config.telemetry.port !== undefined) {
    const receiver = await closers.starting(() =>
      startTelemetryReceiver({
        config: config.telemetry,
        ephemeral: store.ephemeral,
        clock,
        logger,
        sinkFactories: options.telemetrySinks,
        readFrame,
      }),
    );
    closers.add('telemetry receiver', () => receiver.stop());
    telemetry = receiver;
  }

  const certs = await closers.starting(() =>
    automaticCertificates({
      config,
      store,
      clock,
      logger,
      metrics,
      secretKey,
      catalog,
      alsoServes: (name) => tunnels.nameForHost(name) !== undefined,
      hasHttpListener: specs.some((spec) => !spec.tls),
      sink: {
        install: (names, pem) => {
          for (const set of tls) set?.add(names, pem, `certificate for ${names.join(', ')}`);
          const vehicles = config.telemetry.cert === 'auto' ? config.telemetry.name : undefined;
          if (vehicles && names.includes(vehicles)) telemetry?.setCertificate(pem);
        },
        uninstall: (names) => {
          for (const set of tls) set?.remove(names);
        },
      },
    }),
  );
  const mcpAudit = new McpAudit(store.ephemeral, clock);
  const requestLog = config.requestLog.enabled
    ? new RequestRecorder({
        log: store.requests,
        clock,
        retentionMs: config.requestLog.retention,
        max: config.requestLog.max,
        metrics,
        onError: (error) => logger.warn({ err: error }, 'writing request records failed'),
      })
    : undefined;
  if (requestLog) {
    requestLog.start();
    closers.add('request log', () => requestLog.stop());
  }
  const adminDeps: AdminDeps = {
    mcpAudit,
    requestLog,
    store,
    catalog,
    routes: new RouteService({
      store,
      catalog,
      clock,
      prepare: (next, previous) => sealRouteSecrets(next, previous, routeSecrets),
    }),
    keys,
    tunnels,
    relay,
    metrics,
    clock,
    accepting: () => accepting,
    vehicles: telemetry?.states ?? storedVehicles(store.ephemeral),
    oauthPrincipal: auth.oauthPrincipal,
    rotateSigningKey: auth.rotateSigningKey,
    certificates: certs?.manager,
  };
  const admin = createAdminApp(adminDeps);
  const mcp = mcpEndpoint({
    service: adminService(adminDeps),
    keys,
    verifyToken: auth.verifyToken,
    issuer: auth.issuer,
    trustForwarded: config.trustProxy,
    clock,
    logger,
  });
  closers.add('mcp sessions', () => mcp.close());
  const dashboard = createDashboard({
    feed: options.telemetryFeed ?? telemetry?.hub ?? EMPTY_FEED,
    token: config.dashboardToken,
    ...(options.dashboardDir ? { assets: new DashboardAssets(options.dashboardDir) } : {}),
    clock,
    logger,
  });
  closers.add('dashboard', () => dashboard.close());
  const adminHosts = adminHostsOf(config.domain);
  const handlers = createDispatcher({
    mounts: [
      // ACME challenges first: the CA asks on every host, the admin and auth hosts included.
      ...(certs ? [certs.mount] : []),
      ...auth.mounts,
      ...(fleetKey ? [fleetKeyMount(fleetKey, config.fleet.domains)] : []),
      tunnelConnectMount(tunnels),
      ...nodeLinkMount(tunnels),
      dashboard.mount,
      adminMount(admin),
      adminAppMount((host) => catalog.table.match(host, '/') !== undefined, options.adminAppDir, {
        signIn: auth.adminAppSignIn,
        trustProxy: config.trustProxy,
      }),
      mcpMount(mcp),
    ],
    resolve: (host, path) => {
      const tunnel = tunnels.nameForHost(host);
      if (tunnel) return { kind: 'tunnel', tunnel };
      // A protected route's metadata lives outside its path (RFC 9728): route it to the route.
      const route = metadataRoute(catalog.table, host, path) ?? catalog.table.match(host, path);
      return route ? routedFor(route) : undefined;
    },
    guards: routeAuthGuards(
      options.routeAuth ? { ...options.routeAuth, clock, trustForwarded: config.trustProxy } : auth.routeAuth,
    ),
    handlers: {
      proxy,
      relay: relayHandler(relay),
      tunnel: tunnelHandler(tunnels),
      static: staticHandler(),
      'fleet-proxy': fleetProxyHandler({ proxy, key: fleetKey, logger, clock, fetch: options.fleetFetch }),
      'fleet-login': fleetLogin,
      mcp: mcpRouteHandler({
        pool,
        tunnels,
        ephemeral: store.ephemeral,
        audit: mcpAudit,
        routeSecrets,
        clock,
        logger,
        trustForwarded: config.trustProxy,
      }),
    },
    adminHosts,
    logger,
    metrics,
    record: requestLog && ((answered) => requestLog.record(answered)),
    userOf: (req) => verifiedIdentity(req)?.login,
    clock,
  });

  // Requests being answered; shutdown drains them before closing tunnels and connections.
  const inFlight = new InFlight();
  const listenerDeps: ListenerDeps = {
    request: (req, res) => {
      inFlight.track(res);
      handlers.request(req, res);
    },
    upgrade: (req, socket, head) => {
      upgraded.add(socket);
      socket.once('close', () => upgraded.delete(socket));
      handlers.upgrade(req, socket, head);
    },
    maxHeaderSize: config.maxHeaderSize,
    connectionLimits: {
      perListener: config.maxConnections ?? defaultConnectionLimit(),
      perClient: config.maxConnectionsPerClient,
    },
    handshakeTimeoutMs: config.tlsHandshakeTimeoutMs,
    logger,
    metrics,
    passthrough: tunnels.passthrough,
    acme: certs?.listener,
  };
  const listeners: RunningListener[] = [];
  for (const [i, spec] of specs.entries()) {
    const listener = await closers.starting(() => startListener(spec, tls[i], listenerDeps));
    listeners.push(listener);
    servers.push(listener.server);
    closers.add(`listener ${listener.name}`, () => listener.server.close());
  }
  const plain = listeners.find((l) => !l.certificates);
  const secure = listeners.find((l) => l.certificates);
  httpPort = plain?.port ?? 0;
  httpsPort = secure?.port;
  await closers.starting(() => auth.start(publicBase(httpPort, httpsPort)));
  closers.add('authorization server', () => auth.close());
  if (certs) {
    // After the listeners: the CA's validation of the first orders reaches them.
    await closers.starting(() => certs.manager.start());
    closers.add('certificates', () => certs.manager.stop());
  }

  let stopping: Promise<void> | undefined;
  const stop = () => {
    stopping ??= (async () => {
      accepting = false;
      for (const s of servers) s.close();
      requestLog?.endFollowing();
      // Keep-alive connections become idle as their requests finish; each closes as it does.
      // Requests through tunnels drain too: the agents stay connected until nothing is in flight.
      const left = await inFlight.drain(servers, config.shutdownTimeoutMs);
      if (left > 0)
        logger.warn({ inFlight: left }, 'shutdown timeout reached; closing remaining connections');
      await closers.closeAll();
    })();
    return stopping;
  };

  return {
    httpPort,
    httpsPort,
    listeners: listeners.map(({ name, port, certificates }) => ({ name, port, certificates })),
    bootstrapKey,
    store,
    tunnels,
    fleetKey,
    telemetry,
    certificates: certs?.manager,
    authorizationServer: auth.server,
    stop,
  };
}

/**
 * The key that seals stored secrets: `GATEHOUSE_SECRET_KEY`, else (embedded store only) the one in
 * the data directory, made on first use. With Redis there is no default: every node needs the same.
 */
function secretKeySource(config: ServeConfig, logger: Logger): () => Buffer | undefined {
  let key: Buffer | undefined;
  return () => {
    if (key) return key;
    if (config.secretKey) key = parseSecretKey(config.secretKey);
    else if (!config.store) {
      key = loadOrCreateSecretKey(config.data);
      logger.info({ dir: config.data }, 'using the secret key in the data directory');
    }
    return key;
  };
}

/**
 * With a store shared by several nodes (and so a shared secret key), what this node needs to reach
 * tunnels held by the others and be reached for its own; undefined on a node alone.
 */
function clusterOptions(config: ServeConfig, secretKey: Buffer | undefined, httpPort: () => number) {
  if (!config.store || !secretKey) return undefined;
  return {
    node: `${hostname()
      .replace(/[^\w-]/g, '-')
      .slice(0, 40)}-${randomBytes(4).toString('hex')}`,
    key: nodeLinkKey(secretKey),
    address: () => config.tunnels.nodeAddress ?? `${hostname()}:${httpPort()}`,
    adminHost: config.domain,
  };
}

/** Scheme and port suffix of public URLs: https when TLS is on, ports left out when standard. */
function publicBase(httpPort: number, httpsPort: number | undefined): { scheme: string; port: string } {
  if (httpsPort !== undefined) return { scheme: 'https', port: httpsPort === 443 ? '' : `:${httpsPort}` };
  return { scheme: 'http', port: httpPort === 80 ? '' : `:${httpPort}` };
}
