import type { IncomingMessage } from 'node:http';
import type { Socket } from 'node:net';
import { type WebSocket, WebSocketServer } from 'ws';
import { bearerToken, digestsEqual, hashApiKey } from '../../auth/keys/api-key.ts';
import { type Clock, dateOf } from '../../core/clock.ts';
import type { Logger } from '../../core/logger.ts';
import type { Metrics } from '../../core/metrics.ts';
import { writeRawError } from '../../http/error-response.ts';
import type { UpgradeExchange } from '../../http/exchange.ts';
import { clientIp } from '../../http/forwarded.ts';
import { GRANT_REVOCATIONS } from '../../store/entities.ts';
import type { Store, TunnelEvent, TunnelRecord } from '../../store/types.ts';
import { TunnelError } from '../protocol/errors.ts';
import { Http2TunnelSession } from '../protocol/h2-session.ts';
import {
  AGENT_HEADER,
  LOCAL_HOST_HEADER,
  PASSTHROUGH_ADDRESS_HEADER,
  PASSTHROUGH_HEADER,
  PROTOCOL_VERSION_HEADER,
  PUBLIC_URL_HEADER,
  RAW_UPGRADE,
  RAW_UPGRADE_V2,
  TUNNEL_HEADER,
} from '../protocol/protocol.ts';
import { rawTransport, type TunnelTransport, webSocketTransport } from '../protocol/transport.ts';
import type { TunnelSession } from '../protocol/tunnel-session.ts';
import { agentSession } from './mux-tunnel-session.ts';
import type { TunnelRegistry } from './tunnel-registry.ts';

/** What agent connections need from the tunnel service. */
export interface AgentConnectionDeps {
  readonly store: Store;
  readonly registry: TunnelRegistry;
  readonly settings: { readonly heartbeatMs: number; readonly maxConcurrentStreams: number };
  readonly logger: Logger;
  readonly metrics?: Metrics;
  readonly clock: Clock;
  /** The public URL of a tunnel, told to its agent on the 101. */
  readonly publicUrl: (name: string) => string;
  /** Where TLS clients reach a passthrough tunnel (`host:port`); undefined without an HTTPS listener. */
  readonly passthroughAddress: (name: string) => string | undefined;
}

/** The tunnel a login connects as, and whether that login is still active (false once revoked). */
export interface LoginTunnel {
  readonly record: TunnelRecord;
  readonly loginActive: () => Promise<boolean>;
}

/**
 * The tunnel an agent logged in as a person may connect as: the one it names, when it is theirs,
 * else their first. Throws a `TunnelError` saying what to do when the token is not good.
 */
export type TokenTunnelResolver = (token: string, name: string | undefined) => Promise<LoginTunnel>;

/** What the upgrade's extra response headers carry, kept on the request for the WebSocket path. */
type AgentRequest = IncomingMessage & { tunnelHeaders?: [string, string][] };

/**
 * Agents connecting to their tunnels: each upgrade is authenticated by the tunnel's key before
 * anything switches, then its HTTP/2 session is registered and audited.
 */
export class AgentConnections {
  readonly #deps: AgentConnectionDeps;
  #tokenTunnel: TokenTunnelResolver | undefined;
  /** Sessions a login let in, with the check of that login: each ends once its login is revoked. */
  readonly #logins = new Map<TunnelSession, () => Promise<boolean>>();
  #loginTimer: NodeJS.Timeout | undefined;
  readonly #unsubscribe: () => void;
  readonly #wss = new WebSocketServer({
    noServer: true,
    maxPayload: 64 * 1024 * 1024,
    perMessageDeflate: false,
  });

  constructor(deps: AgentConnectionDeps) {
    this.#deps = deps;
    this.#wss.on('headers', (headers, req) => {
      for (const [name, value] of (req as AgentRequest).tunnelHeaders ?? [])
        headers.push(`${name}: ${value}`);
    });
    // A logout on any node is announced to all: the sessions of that login end at once. The
    // heartbeat-paced check catches what an announcement missed (or a grant that ran out).
    this.#unsubscribe = deps.store.onChange((event) => {
      if (event.topic === GRANT_REVOCATIONS.topic) void this.checkLogins();
    });
  }

  /** Accepts agents logged in as a person (`gatehouse login`): their token names the tunnel. */
  acceptLogins(resolver: TokenTunnelResolver): void {
    this.#tokenTunnel = resolver;
  }

  /** Stops accepting WebSocket connections. */
  close(): void {
    this.#unsubscribe();
    clearInterval(this.#loginTimer);
    this.#wss.close();
  }

  /** Ends every session whose login has been revoked since it connected; resolves when checked. */
  async checkLogins(): Promise<void> {
    await Promise.all(
      [...this.#logins].map(async ([session, loginActive]) => {
        const active = await loginActive().catch((error: unknown) => {
          // A store that cannot answer now is no proof of a revocation: checked again later.
          this.#deps.logger.warn({ err: error }, 'checking a tunnel login failed');
          return true;
        });
        if (!active) session.close('login revoked');
      }),
    );
  }

  #watchLogin(session: TunnelSession, loginActive: () => Promise<boolean>): void {
    this.#logins.set(session, loginActive);
    this.#loginTimer ??= setInterval(() => void this.checkLogins(), this.#deps.settings.heartbeatMs);
    this.#loginTimer.unref();
    session.onClose(() => {
      this.#logins.delete(session);
      if (this.#logins.size > 0) return;
      clearInterval(this.#loginTimer);
      this.#loginTimer = undefined;
    });
  }

  /**
   * Handles an agent's upgrade: the key is checked before anything is upgraded. The agent asks
   * for the raw connection ({@link RAW_UPGRADE}) or, behind proxies that pass only those, a
   * WebSocket; HTTP/2 runs over either.
   */
  handle(exchange: UpgradeExchange): void {
    const { req, socket, head } = exchange;
    this.#authenticate(req).then(
      ({ record, passthrough, loginActive, protocol }) => {
        const extra: [string, string][] = [[PUBLIC_URL_HEADER, this.#deps.publicUrl(record.name)]];
        if (passthrough) extra.push([PASSTHROUGH_ADDRESS_HEADER, passthrough]);
        if (protocol === 2) extra.push([PROTOCOL_VERSION_HEADER, '2']);
        const token = upgradeToken(req);
        if (token !== 'websocket') {
          if (socket.destroyed) return;
          if (head.length > 0) socket.unshift(head);
          // HTTP/2 takes over the socket's native handle; a write still in flight on it (a TLS
          // one completes later) would land in HTTP/2's bookkeeping, so it waits for the 101.
          socket.write(
            `HTTP/1.1 101 Switching Protocols\r\nconnection: Upgrade\r\nupgrade: ${token}\r\n` +
              `${extra.map(([name, value]) => `${name}: ${value}\r\n`).join('')}\r\n`,
            (error) => {
              if (!error && !socket.destroyed)
                this.#attach(
                  req,
                  record,
                  rawTransport(socket as Socket),
                  { passthrough: passthrough !== undefined, protocol },
                  loginActive,
                );
              exchange.done(101);
            },
          );
          return;
        }
        (req as AgentRequest).tunnelHeaders = extra;
        this.#wss.handleUpgrade(req, socket, head, (ws: WebSocket) => {
          this.#attach(
            req,
            record,
            webSocketTransport(ws),
            { passthrough: passthrough !== undefined, protocol },
            loginActive,
          );
          exchange.done(101);
        });
      },
      (error: unknown) => {
        exchange.done(writeRawError(socket, error));
      },
    );
  }

  #attach(
    req: IncomingMessage,
    record: TunnelRecord,
    transport: TunnelTransport,
    { passthrough, protocol }: { passthrough: boolean; protocol: 1 | 2 },
    loginActive: (() => Promise<boolean>) | undefined,
  ): void {
    const ip = clientIp(req.socket.remoteAddress);
    const agentVersion = String(req.headers[AGENT_HEADER] ?? 'unknown').slice(0, 40);
    const info = { name: record.name, ip, agentVersion, connectedAt: dateOf(this.#deps.clock), passthrough };
    const limits = {
      heartbeatMs: this.#deps.settings.heartbeatMs,
      maxConcurrentStreams: this.#deps.settings.maxConcurrentStreams,
    };
    const localHost = req.headers[LOCAL_HOST_HEADER];
    const session: TunnelSession =
      protocol === 2
        ? agentSession(transport, info, {
            ...limits,
            localHost:
              typeof localHost === 'string' && localHost !== '' ? localHost.slice(0, 300) : undefined,
          })
        : new Http2TunnelSession(transport, info, limits);
    this.#deps.registry.register(session);
    if (loginActive) this.#watchLogin(session, loginActive);
    this.#deps.metrics?.tunnelConnects.inc({ tunnel: record.name });
    this.#deps.metrics?.tunnelsOnline.set(this.#deps.registry.all().length);
    this.#audit(record.name, {
      type: 'connect',
      at: dateOf(this.#deps.clock).toISOString(),
      ip,
      agentVersion,
    });
    this.#deps.logger.info(
      { tunnel: record.name, ip, agentVersion, transport: transport.kind, protocol, passthrough },
      'tunnel connected',
    );
    session.onClose((reason) => {
      this.#deps.metrics?.tunnelsOnline.set(this.#deps.registry.all().length);
      this.#audit(record.name, {
        type: 'disconnect',
        at: dateOf(this.#deps.clock).toISOString(),
        ip,
        agentVersion,
        reason,
      });
      this.#deps.logger.info({ tunnel: record.name, reason }, 'tunnel disconnected');
    });
  }

  /** The tunnel named by the agent, when the tunnel key it sent is that tunnel's. */
  async #keyed(req: IncomingMessage, name: string, key: string | undefined): Promise<TunnelRecord> {
    if (!name)
      throw new TunnelError('TUNNEL_NOT_FOUND', `send the tunnel name in the ${TUNNEL_HEADER} header`);
    const record = await this.#deps.store.tunnels.get(name);
    if (!record) throw new TunnelError('TUNNEL_NOT_FOUND', `no tunnel named ${name}`);
    if (!key || !digestsEqual(hashApiKey(key), record.keyHash)) {
      this.#audit(name, {
        type: 'rejected',
        at: dateOf(this.#deps.clock).toISOString(),
        ip: clientIp(req.socket.remoteAddress),
        reason: 'bad key',
      });
      throw new TunnelError(
        'TUNNEL_KEY_INVALID',
        `the key is not valid for tunnel ${name} (was it rotated?)`,
      );
    }
    return record;
  }

  /**
   * The tunnel the agent connects as, once its key checks out, and for an agent asking for TLS
   * passthrough the address TLS clients will reach it at (refused when there is no HTTPS listener).
   */
  async #authenticate(req: IncomingMessage): Promise<{
    record: TunnelRecord;
    passthrough: string | undefined;
    loginActive: (() => Promise<boolean>) | undefined;
    protocol: 1 | 2;
  }> {
    const name = String(req.headers[TUNNEL_HEADER] ?? '');
    const key = bearerToken(req.headers.authorization);
    const login =
      key && !key.startsWith('gt_') && this.#tokenTunnel
        ? await this.#tokenTunnel(key, name || undefined)
        : undefined;
    const record = login?.record ?? (await this.#keyed(req, name, key));
    const loginActive = login?.loginActive;
    const protocol = protocolOf(req);
    const asked = req.headers[PASSTHROUGH_HEADER];
    if (asked === undefined) return { record, passthrough: undefined, loginActive, protocol };
    if (asked !== 'tls')
      throw new TunnelError(
        'TUNNEL_UPGRADE_INVALID',
        `${PASSTHROUGH_HEADER} must be tls, not ${JSON.stringify(String(asked).slice(0, 40))}`,
      );
    const passthrough = this.#deps.passthroughAddress(record.name);
    if (!passthrough)
      throw new TunnelError(
        'TUNNEL_PASSTHROUGH_UNAVAILABLE',
        'this Gatehouse has no HTTPS listener, so it cannot pass TLS connections through; ' +
          'start it with a TLS certificate (--tls-cert and --tls-key) or a listener with tls in its config',
      );
    return { record, passthrough, loginActive, protocol };
  }

  #audit(name: string, event: TunnelEvent): void {
    this.#deps.store.tunnels
      .addEvent(name, event)
      .catch((error: unknown) => this.#deps.logger.warn({ err: error }, 'tunnel audit write failed'));
  }
}

/**
 * The tunnel protocol version an upgrade asks for: its token says it for the raw connection, the
 * version header for a WebSocket (absent: 1, the previous release's agents). Anything else is
 * refused with the versions this Gatehouse speaks.
 */
export function protocolOf(req: Pick<IncomingMessage, 'headers'>): 1 | 2 {
  const token = upgradeToken(req);
  if (token === RAW_UPGRADE_V2) return 2;
  if (token === RAW_UPGRADE) return 1;
  if (token !== 'websocket')
    throw new TunnelError(
      'TUNNEL_UPGRADE_INVALID',
      `expected Upgrade: ${RAW_UPGRADE_V2} (or ${RAW_UPGRADE}, or websocket), not ${JSON.stringify(token.slice(0, 60))}`,
    );
  const asked = req.headers[PROTOCOL_VERSION_HEADER];
  if (asked === undefined || asked === '1') return 1;
  if (asked === '2') return 2;
  throw new TunnelError(
    'TUNNEL_UPGRADE_INVALID',
    `this Gatehouse speaks tunnel protocols 1 and 2, and the agent asked for ${JSON.stringify(String(asked).slice(0, 20))}: ` +
      'run an agent of the same release as the server',
  );
}

/** The protocol an upgrade request asks for, lower-cased. */
function upgradeToken(req: Pick<IncomingMessage, 'headers'>): string {
  return (req.headers.upgrade ?? '').trim().toLowerCase();
}
