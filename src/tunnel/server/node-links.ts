import { request } from 'node:http';
import type { Socket } from 'node:net';
import type { Clock } from '../../core/clock.ts';
import type { Logger } from '../../core/logger.ts';
import { writeRawError } from '../../http/error-response.ts';
import type { UpgradeExchange } from '../../http/exchange.ts';
import { TunnelError } from '../protocol/errors.ts';
import type { StreamKind } from '../protocol/mux-frames.ts';
import { MuxSession } from '../protocol/mux-session.ts';
import type { MuxStream } from '../protocol/mux-stream.ts';
import { rawTransport } from '../protocol/transport.ts';
import { MuxTunnelSession, type StreamChannel } from './mux-tunnel-session.ts';
import { signNodeLink, verifyNodeLink } from './node-link-auth.ts';
import type { TunnelHolder } from './tunnel-holders.ts';
import type { TunnelRegistry } from './tunnel-registry.ts';

/** Where nodes link to each other, on the admin hosts. */
export const NODE_LINK_PATH = '/api/v1/cluster/link';
/** The upgrade token of a link between nodes: the tunnel multiplexing layer, streams named by tunnel. */
export const NODE_LINK_UPGRADE = 'gatehouse-node/1';
/** How long opening a link may take. */
const DIAL_TIMEOUT_MS = 5_000;

/** What links between nodes need. */
export interface NodeLinkDeps {
  readonly node: string;
  /** Signs and checks link tokens (see `nodeLinkKey`). */
  readonly key: Buffer;
  /** The admin host, sent as `Host` on links. */
  readonly adminHost: string;
  readonly registry: TunnelRegistry;
  readonly settings: { readonly heartbeatMs: number; readonly maxConcurrentStreams: number };
  readonly clock: Clock;
  readonly logger: Logger;
}

/**
 * Links between the nodes of one deployment, so a request reaching any node gets to a tunnel
 * whose agent is connected to another. A link is one connection carrying the tunnel multiplexing
 * layer; each stream names the tunnel it is for, and the holding node joins it to a stream of that
 * tunnel's agent connection, bytes and INFO frames both ways.
 */
export class NodeLinks {
  readonly #deps: NodeLinkDeps;
  /** Links this node opened, by address. */
  readonly #out = new Map<string, Promise<MuxSession>>();
  /** Sessions for tunnels held elsewhere, by name; replaced when the holder changes. */
  readonly #remote = new Map<string, { holder: TunnelHolder; session: MuxTunnelSession }>();
  readonly #in = new Set<MuxSession>();

  constructor(deps: NodeLinkDeps) {
    this.#deps = deps;
  }

  /** A session for a tunnel held by another node, over a link to it (opened when needed). */
  async remoteSession(name: string, holder: TunnelHolder): Promise<MuxTunnelSession> {
    const known = this.#remote.get(name);
    if (known?.session.open && sameHolder(known.holder, holder)) return known.session;
    const link = await this.#link(holder.address);
    const channel: StreamChannel = {
      openStream: (kind: StreamKind) => link.openStream(kind, name),
      get accepting() {
        return link.accepting;
      },
      onClose: (listener) => link.onClose(listener),
      close: () => {},
    };
    const session = new MuxTunnelSession(
      channel,
      {
        name,
        ip: holder.ip,
        agentVersion: holder.agentVersion,
        connectedAt: new Date(holder.connectedAt),
        passthrough: holder.passthrough,
      },
      {
        maxConcurrentStreams: this.#deps.settings.maxConcurrentStreams,
        localHost: holder.localHost,
        transport: holder.transport,
      },
    );
    known?.session.httpAgent.destroy();
    this.#remote.set(name, { holder, session });
    return session;
  }

  /** Takes a link from another node: its token is checked before anything is upgraded. */
  handle(exchange: UpgradeExchange): void {
    const { req, socket, head } = exchange;
    const token = /^Bearer (\S+)$/.exec(req.headers.authorization ?? '')?.[1] ?? '';
    const from = verifyNodeLink(this.#deps.key, token, this.#deps.clock());
    if (!from || String(req.headers.upgrade ?? '').toLowerCase() !== NODE_LINK_UPGRADE) {
      exchange.done(
        writeRawError(
          socket,
          new TunnelError(
            'TUNNEL_KEY_INVALID',
            'this link is not signed with the deployment secret key (every node needs the same GATEHOUSE_SECRET_KEY)',
          ),
        ),
      );
      return;
    }
    socket.write(
      `HTTP/1.1 101 Switching Protocols\r\nconnection: Upgrade\r\nupgrade: ${NODE_LINK_UPGRADE}\r\n\r\n`,
      (error) => {
        exchange.done(101);
        if (error || socket.destroyed) return;
        if (head.length > 0) socket.unshift(head);
        const transport = rawTransport(socket as Socket);
        const link = new MuxSession(transport.stream, {
          role: 'agent',
          heartbeatMs: this.#deps.settings.heartbeatMs,
          maxIncomingStreams: 10_000,
          onStream: (stream, kind, target) => this.#bridge(stream, kind, target),
        });
        this.#in.add(link);
        link.onClose(() => {
          this.#in.delete(link);
          transport.close('link closed');
        });
        this.#deps.logger.info({ node: from }, 'node link opened');
      },
    );
  }

  /** Closes every link. */
  close(): void {
    for (const link of this.#in) link.close('node stopping');
    for (const pending of this.#out.values())
      pending.then(
        (link) => link.close('node stopping'),
        () => {},
      );
    this.#out.clear();
    for (const { session } of this.#remote.values()) session.httpAgent.destroy();
    this.#remote.clear();
  }

  /** Joins a stream from another node to a new stream of the named tunnel's agent connection. */
  #bridge(stream: MuxStream, kind: StreamKind, target: string): void {
    stream.on('error', () => {});
    const session = this.#deps.registry.get(target);
    if (!(session instanceof MuxTunnelSession)) {
      stream.destroy(new Error(`tunnel ${target} is not connected to this node`));
      return;
    }
    let agentStream: MuxStream;
    try {
      agentStream = session.openStream(kind);
    } catch (error) {
      stream.destroy(error as Error);
      return;
    }
    const done = session.begin();
    agentStream.on('error', () => {});
    stream.on('info', (payload: Buffer) => agentStream.sendInfo(payload));
    agentStream.on('info', (payload: Buffer) => stream.sendInfo(payload));
    stream.pipe(agentStream);
    agentStream.pipe(stream);
    // A cut on either side is a cut on the other, never passed on as an end.
    stream.once('close', () => {
      done();
      if (!stream.endedWhole) agentStream.destroy();
    });
    agentStream.once('close', () => {
      if (!agentStream.endedWhole) stream.destroy();
    });
  }

  /** The link to the node at `address`, opened once and reopened after it closes. */
  #link(address: string): Promise<MuxSession> {
    const known = this.#out.get(address);
    if (known) return known;
    const opening = this.#dial(address);
    this.#out.set(address, opening);
    opening.then(
      (link) => link.onClose(() => this.#out.get(address) === opening && this.#out.delete(address)),
      () => this.#out.delete(address),
    );
    return opening;
  }

  #dial(address: string): Promise<MuxSession> {
    return new Promise((resolve, reject) => {
      const req = request({
        host: address.slice(0, address.lastIndexOf(':')).replace(/^\[|\]$/g, ''),
        port: Number(address.slice(address.lastIndexOf(':') + 1)),
        path: NODE_LINK_PATH,
        headers: {
          host: this.#deps.adminHost,
          connection: 'Upgrade',
          upgrade: NODE_LINK_UPGRADE,
          authorization: `Bearer ${signNodeLink(this.#deps.key, this.#deps.node, this.#deps.clock())}`,
        },
        agent: false,
        timeout: DIAL_TIMEOUT_MS,
      });
      req.on('timeout', () => req.destroy(new Error(`linking to the node at ${address} timed out`)));
      req.on('error', (error) =>
        reject(
          new TunnelError('TUNNEL_NOT_CONNECTED', `cannot link to the node at ${address}: ${error.message}`),
        ),
      );
      req.on('response', (res) => {
        res.resume();
        reject(
          new TunnelError(
            'TUNNEL_NOT_CONNECTED',
            `the node at ${address} refused the link (${res.statusCode})`,
          ),
        );
      });
      req.on('upgrade', (_res, socket: Socket, head: Buffer) => {
        if (head.length > 0) socket.unshift(head);
        const transport = rawTransport(socket);
        const link = new MuxSession(transport.stream, {
          role: 'edge',
          heartbeatMs: this.#deps.settings.heartbeatMs,
          maxIncomingStreams: 0,
        });
        link.onClose((reason) => transport.close(reason));
        resolve(link);
      });
      req.end();
    });
  }
}

function sameHolder(a: TunnelHolder, b: TunnelHolder): boolean {
  return a.node === b.node && a.connectedAt === b.connectedAt && a.address === b.address;
}
