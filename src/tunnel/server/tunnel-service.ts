import { randomUUID } from 'node:crypto';
import type { Duplex } from 'node:stream';
import { type Clock, systemClock } from '../../core/clock.ts';
import type { Logger } from '../../core/logger.ts';
import type { Metrics } from '../../core/metrics.ts';
import { sendEdgeError } from '../../http/error-page.ts';
import { answerError, type RequestExchange, type UpgradeExchange } from '../../http/exchange.ts';
import type { Store, TunnelRecord } from '../../store/types.ts';
import { TunnelError } from '../protocol/errors.ts';
import type { Http2TunnelSession } from '../protocol/h2-session.ts';
import type { TransportKind } from '../protocol/transport.ts';
import type { TunnelSession } from '../protocol/tunnel-session.ts';
import { AgentConnections } from './agent-connections.ts';
import { admitRequest, forwardThroughTunnel, type TunnelRequestLimits } from './forward-request.ts';
import { forwardUpgradeThroughTunnel } from './forward-upgrade.ts';
import { exchangeOverMux, forwardOverMux } from './mux-forward.ts';
import { MuxTunnelSession } from './mux-tunnel-session.ts';
import { forwardUpgradeOverMux } from './mux-upgrade.ts';
import { NodeLinks } from './node-links.ts';
import { TlsPassthrough } from './tls-passthrough.ts';
import { exchangeWhole, type WholeRequest, type WholeResponse } from './tunnel-exchange.ts';
import { type TunnelHolder, TunnelHolders } from './tunnel-holders.ts';
import { TunnelRecords } from './tunnel-records.ts';
import { TunnelRegistry } from './tunnel-registry.ts';

/** Tunnel settings from the configuration. */
export interface TunnelSettings extends TunnelRequestLimits {
  readonly heartbeatMs: number;
  /** How long a request for an offline tunnel waits for it to come back, in ms. */
  readonly offlineWaitMs: number;
  readonly maxPerOwner: number;
}

/** What a caller may add to a request forwarded through a tunnel (the relay signs and learns). */
export interface TunnelForwardOptions {
  /** Last word on the request headers sent down the tunnel. */
  readonly rewriteHeaders?: (headers: Record<string, string | string[] | undefined>) => void;
  /** A stream the response body passes through on its way to the client. */
  readonly responseTap?: (headers: Record<string, string | string[]>) => Duplex | undefined;
}

/** How often a request for a tunnel held nowhere looks again while it waits, with several nodes. */
const CLUSTER_POLL_MS = 200;

/** What a node needs to share its tunnels with the other nodes of a deployment. */
export interface ClusterOptions {
  /** This node's id, unique in the deployment. */
  readonly node: string;
  /** The key links are signed with (see `nodeLinkKey`). */
  readonly key: Buffer;
  /** `host:port` the other nodes reach this one at. */
  readonly address: () => string;
  /** The admin host, sent as `Host` on links. */
  readonly adminHost: string;
}

/** A tunnel as the admin API shows it. */
export interface TunnelView {
  readonly name: string;
  readonly url: string;
  readonly owner: string;
  readonly keyPrefix: string;
  readonly createdAt: string;
  readonly keyRotatedAt: string | null;
  readonly online: boolean;
  readonly connectedSince: string | null;
  readonly clientIp: string | null;
  readonly agentVersion: string | null;
  readonly transport: TransportKind | null;
  /** While its agent asks for TLS passthrough: the `host:port` TLS clients reach it at. */
  readonly tlsPassthrough: string | null;
  readonly requests: number;
  readonly activeRequests: number;
}

/**
 * Tunnels on this node: identities in the store, agent connections (authenticated before the
 * WebSocket upgrade), and forwarding of public requests for `<name>.<domain>` to them.
 */
export class TunnelService {
  readonly registry = new TunnelRegistry();
  /** Agents connecting: authenticated before the upgrade, then registered. */
  readonly connections: AgentConnections;
  /** TLS connections routed by server name to tunnels, unterminated; HTTPS listeners ask it first. */
  readonly passthrough: TlsPassthrough;
  readonly #store: Store;
  readonly #settings: TunnelSettings;
  readonly #logger: Logger;
  readonly #metrics: Metrics | undefined;
  readonly #domain: string;
  readonly #publicBase: () => { scheme: string; port: string };
  readonly #passthroughPort: () => number | undefined;
  readonly #trustForwarded: boolean;
  /** Tunnel identities in the store: names, owners and key hashes. */
  readonly records: TunnelRecords;
  /** Which node holds each tunnel, and the links to the others; undefined on a node alone. */
  readonly #cluster: { holders: TunnelHolders; links: NodeLinks; timer: NodeJS.Timeout } | undefined;

  constructor(options: {
    store: Store;
    settings: TunnelSettings;
    logger: Logger;
    metrics?: Metrics;
    domain: string;
    /** Scheme and `:port` of public URLs; a function because ports are known only after listening. */
    publicBase: () => { scheme: string; port: string };
    /** The HTTPS listener's port, where TLS passthrough happens; undefined without one. */
    passthroughPort?: () => number | undefined;
    /** Whether the client's own X-Forwarded-* headers are kept (`--trust-proxy`). */
    trustForwarded: boolean;
    clock?: Clock;
    /** With a store shared by several nodes: this node's id, link key and address, and the admin host. */
    cluster?: ClusterOptions | undefined;
  }) {
    this.#trustForwarded = options.trustForwarded;
    this.#store = options.store;
    this.#settings = options.settings;
    this.#logger = options.logger;
    this.#metrics = options.metrics;
    this.#domain = options.domain;
    this.#publicBase = options.publicBase;
    this.#passthroughPort = options.passthroughPort ?? (() => undefined);
    const clock = options.clock ?? systemClock;
    this.records = new TunnelRecords({
      store: this.#store,
      logger: this.#logger,
      clock,
      maxPerOwner: this.#settings.maxPerOwner,
    });
    this.connections = new AgentConnections({
      store: this.#store,
      registry: this.registry,
      settings: this.#settings,
      logger: this.#logger,
      ...(this.#metrics ? { metrics: this.#metrics } : {}),
      clock,
      publicUrl: (name) => this.publicUrl(name),
      passthroughAddress: (name) => this.passthroughAddress(name),
    });
    if (options.cluster) this.#cluster = this.#joinCluster(options.cluster, clock);
    this.passthrough = new TlsPassthrough({
      registry: this.registry,
      nameForHost: (host) => this.nameForHost(host),
      settings: this.#settings,
      logger: this.#logger,
      metrics: this.#metrics,
    });
  }

  /** Loads the tunnel names and follows changes. */
  start(): Promise<void> {
    return this.records.start();
  }

  stop(): void {
    this.records.stop();
    this.registry.closeAll('server shutting down');
    this.connections.close();
    if (this.#cluster) {
      clearInterval(this.#cluster.timer);
      this.#cluster.links.close();
    }
  }

  /** Links from the other nodes, when this node is one of several; undefined on a node alone. */
  get links(): NodeLinks | undefined {
    return this.#cluster?.links;
  }

  /**
   * Claims each protocol-2 tunnel whose agent connects here (and withdraws the claim when it
   * leaves), renews the claims every heartbeat, and lets go of a connection whose agent has since
   * connected to another node.
   */
  #joinCluster(cluster: ClusterOptions, clock: Clock) {
    const holders = new TunnelHolders({
      store: this.#store,
      node: cluster.node,
      address: cluster.address,
      heartbeatMs: this.#settings.heartbeatMs,
      logger: this.#logger,
    });
    const links = new NodeLinks({
      node: cluster.node,
      key: cluster.key,
      adminHost: cluster.adminHost,
      registry: this.registry,
      settings: this.#settings,
      clock,
      logger: this.#logger,
    });
    this.registry.on('connected', (session) => {
      if (!(session instanceof MuxTunnelSession)) return;
      void holders.claim(session.info, { transport: session.transport, localHost: session.localHost });
      session.onClose(() => void holders.release(session.info.name));
    });
    const timer = setInterval(() => {
      holders.renew().then(
        (taken) => {
          for (const name of taken) this.registry.disconnect(name, 'its agent connected to another node');
        },
        () => {},
      );
    }, this.#settings.heartbeatMs);
    timer.unref();
    return { holders, links, timer };
  }

  /** The public URL of a tunnel. */
  publicUrl(name: string): string {
    const base = this.#publicBase();
    return `${base.scheme}://${name}.${this.#domain}${base.port}`;
  }

  /** Where TLS clients reach a tunnel passed through (`host:port`); undefined without an HTTPS listener. */
  passthroughAddress(name: string): string | undefined {
    const port = this.#passthroughPort();
    return port === undefined ? undefined : `${name}.${this.#domain}:${port}`;
  }

  /** The tunnel name a (normalised) host addresses, when it is an existing tunnel's. */
  nameForHost(host: string): string | undefined {
    if (!host.endsWith(`.${this.#domain}`)) return undefined;
    const label = host.slice(0, -this.#domain.length - 1);
    return this.records.has(label) ? label : undefined;
  }

  // ---- identities -------------------------------------------------------------------------

  /**
   * Creates a tunnel; its key is in the result and nowhere else. `limit` is how many the owner
   * may have (by default the per-key limit) and `whose` names them in the refusal.
   */
  async create(
    name: string | undefined,
    owner: string,
    options: { limit?: number; whose?: string } = {},
  ): Promise<{ tunnel: TunnelView; key: string }> {
    const made = await this.records.create(name, owner, options);
    return { tunnel: this.view(made.record), key: made.key };
  }

  /** Replaces a tunnel's key and disconnects the agent using the old one. */
  async rotateKey(name: string): Promise<{ tunnel: TunnelView; key: string }> {
    const made = await this.records.rotateKey(name);
    this.registry.disconnect(name, 'key rotated');
    return { tunnel: this.view(made.record), key: made.key };
  }

  /** Deletes a tunnel and disconnects its agent. */
  async delete(name: string): Promise<void> {
    await this.records.delete(name);
    this.passthrough.forget(name);
    this.registry.disconnect(name, 'tunnel deleted');
  }

  /**
   * Tunnels with their live state across the deployment: connected here, or (with several nodes)
   * held by another node, as that node recorded it.
   */
  async views(records: readonly TunnelRecord[]): Promise<TunnelView[]> {
    const cluster = this.#cluster;
    const elsewhere =
      cluster && records.some((r) => !this.registry.get(r.name))
        ? await cluster.holders.remoteAll()
        : new Map<string, TunnelHolder>();
    return records.map((record) => this.view(record, elsewhere.get(record.name)));
  }

  /** A tunnel with its live state on this node, or as `holder` (another node holding it) says. */
  view(record: TunnelRecord, holder?: TunnelHolder): TunnelView {
    const session = this.registry.get(record.name);
    if (!session && holder) return this.#heldElsewhere(record, holder);
    return {
      name: record.name,
      url: this.publicUrl(record.name),
      owner: record.owner,
      keyPrefix: record.keyPrefix,
      createdAt: record.createdAt,
      keyRotatedAt: record.keyRotatedAt ?? null,
      online: session !== undefined,
      connectedSince: session?.info.connectedAt.toISOString() ?? null,
      clientIp: session?.info.ip ?? null,
      agentVersion: session?.info.agentVersion ?? null,
      transport: session?.transport ?? null,
      tlsPassthrough: session?.info.passthrough ? (this.passthroughAddress(record.name) ?? null) : null,
      requests: session?.stats.requests ?? 0,
      activeRequests: session?.activeStreams ?? 0,
    };
  }

  #heldElsewhere(record: TunnelRecord, holder: TunnelHolder): TunnelView {
    return {
      ...this.view(record),
      online: true,
      connectedSince: holder.connectedAt,
      clientIp: holder.ip,
      agentVersion: holder.agentVersion,
      transport: holder.transport,
      tlsPassthrough: holder.passthrough ? (this.passthroughAddress(record.name) ?? null) : null,
    };
  }

  // ---- agent connections ------------------------------------------------------------------

  // ---- public traffic ---------------------------------------------------------------------

  /** Forwards a public request to the tunnel, answering 503 when it stays offline. */
  async forward(exchange: RequestExchange, name: string, options: TunnelForwardOptions = {}): Promise<void> {
    const { req, res } = exchange;
    const session = await this.#online(name);
    if (!session) {
      answerError(exchange, this.#offline(name));
      return;
    }
    const bytes = { in: 0, out: 0 };
    const forwardOptions = {
      trustForwarded: this.#trustForwarded,
      limits: this.#settings,
      requestId: randomUUID(),
      ...options,
      onBytes: (direction: 'in' | 'out', n: number) => {
        bytes[direction] += n;
      },
    };
    const refusal = admitRequest(req, session, this.#settings);
    const error =
      refusal ??
      (session instanceof MuxTunnelSession
        ? await forwardOverMux(req, res, session, exchange.target, exchange.client, forwardOptions)
        : await forwardThroughTunnel(
            req,
            res,
            session as Http2TunnelSession,
            exchange.target,
            exchange.client,
            forwardOptions,
          ));
    if (error) sendEdgeError(req, res, error);
    if (this.#metrics) {
      this.#metrics.tunnelRequests.inc({
        tunnel: name,
        status: String(res.headersSent ? res.statusCode : 499),
      });
      this.#metrics.tunnelBytes.inc({ tunnel: name, direction: 'in' }, bytes.in);
      this.#metrics.tunnelBytes.inc({ tunnel: name, direction: 'out' }, bytes.out);
    }
  }

  /**
   * The tunnel's session: its agent's connection to this node, else (with several nodes) a link to
   * the node holding it, waiting up to the offline wait for its agent to (re)connect anywhere.
   */
  async #online(name: string, waitMs = this.#settings.offlineWaitMs): Promise<TunnelSession | undefined> {
    const cluster = this.#cluster;
    if (!cluster) return this.registry.waitFor(name, waitMs);
    const deadline = Date.now() + waitMs;
    for (;;) {
      const local = this.registry.get(name);
      if (local) return local;
      const holder = await cluster.holders.remote(name);
      if (holder) {
        try {
          return await cluster.links.remoteSession(name, holder);
        } catch (error) {
          this.#logger.warn(
            { err: error, tunnel: name, node: holder.node },
            'reaching the node holding a tunnel failed',
          );
        }
      }
      const left = deadline - Date.now();
      if (left <= 0) return undefined;
      const arrived = await this.registry.waitFor(name, Math.min(left, CLUSTER_POLL_MS));
      if (arrived) return arrived;
    }
  }

  /**
   * Sends one whole request down the tunnel and reads the whole answer (up to `capBytes`): for
   * webhooks, whose bytes are already in hand and may go to several developers.
   */
  async exchange(name: string, req: WholeRequest, capBytes: number): Promise<WholeResponse> {
    const session = await this.#online(name, 0);
    if (!session) throw this.#offline(name);
    const limits = { capBytes, timeoutMs: this.#settings.responseTimeoutMs };
    return session instanceof MuxTunnelSession
      ? exchangeOverMux(session, name, req, limits)
      : exchangeWhole(session as Http2TunnelSession, name, req, limits);
  }

  /** Forwards an upgrade request to the tunnel, answering 503 (JSON) when it stays offline. */
  async forwardUpgrade(
    exchange: UpgradeExchange,
    name: string,
    options: Pick<TunnelForwardOptions, 'rewriteHeaders'> = {},
  ): Promise<void> {
    const session = await this.#online(name);
    if (!session) {
      answerError(exchange, this.#offline(name));
      return;
    }
    const upgradeOptions = {
      trustForwarded: this.#trustForwarded,
      requestId: randomUUID(),
      onDone: exchange.done,
      ...options,
    };
    const { req, socket, head, target, client } = exchange;
    if (session instanceof MuxTunnelSession)
      forwardUpgradeOverMux(req, socket, head, session, target, client, upgradeOptions);
    else
      forwardUpgradeThroughTunnel(
        req,
        socket,
        head,
        session as Http2TunnelSession,
        target,
        client,
        upgradeOptions,
      );
  }

  /** The refusal for a tunnel with no agent: what is wrong, and the command that brings it back. */
  #offline(name: string): TunnelError {
    const base = this.#publicBase();
    return new TunnelError(
      'TUNNEL_NOT_CONNECTED',
      `Tunnel ${name} is offline: no agent is connected for it. Where its local server runs, start it with: ` +
        `gatehouse tunnel <local port> --server ${base.scheme}://${this.#domain}${base.port} --name ${name}`,
    );
  }
}
