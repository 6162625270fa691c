import { Agent } from 'node:http';
import type { Duplex } from 'node:stream';
import { InfoKind, StreamKind } from '../protocol/mux-frames.ts';
import { MuxSession } from '../protocol/mux-session.ts';
import type { MuxStream } from '../protocol/mux-stream.ts';
import type { TransportKind, TunnelTransport } from '../protocol/transport.ts';
import type { SessionInfo, SessionStats, TunnelSession } from '../protocol/tunnel-session.ts';

/**
 * Connections to the local server, each one stream of the tunnel, pooled and kept alive by Node's
 * HTTP client like TCP connections: a request reuses an idle one, so most requests open nothing.
 */
class StreamAgent extends Agent {
  readonly #open: () => Duplex;
  constructor(open: () => Duplex, maxSockets: number) {
    super({ keepAlive: true, maxSockets, maxFreeSockets: maxSockets, scheduling: 'lifo' });
    this.#open = open;
  }
  override createConnection(): Duplex {
    return this.#open();
  }
  /** Every connection of this pool goes to the same place: one name, not one built per request. */
  override getName(): string {
    return 'tunnel';
  }
}

/** How an exchange on a stream ended, as the agent's log and inspector show it. */
export interface ExchangeOutcome {
  readonly status: number;
  readonly bytesIn?: number;
  readonly bytesOut?: number;
  readonly error?: string | undefined;
}

/** Where a tunnel's streams are opened: the agent's own connection, or a link to the node holding it. */
export interface StreamChannel {
  openStream(kind: StreamKind): MuxStream;
  /** False once no more streams may be opened. */
  readonly accepting: boolean;
  onClose(listener: (reason: string) => void): void;
  close(reason: string): void;
}

/** The edge's session for an agent of protocol 2 connected to this node. */
export function agentSession(
  transport: TunnelTransport,
  info: SessionInfo,
  options: { heartbeatMs: number; maxConcurrentStreams: number; localHost: string | undefined },
): MuxTunnelSession {
  const mux = new MuxSession(transport.stream, {
    role: 'edge',
    heartbeatMs: options.heartbeatMs,
    maxIncomingStreams: 0,
  });
  mux.onClose((reason) => transport.close(reason));
  transport.onClose(() => mux.close('connection closed'));
  return new MuxTunnelSession(mux, info, { ...options, transport: transport.kind });
}

/**
 * A tunnel of protocol 2, seen from the edge: a channel whose streams are connections to the
 * agent's local server. HTTP requests travel as HTTP/1.1 on pooled streams, framed by Node's HTTP
 * client here and passed on byte for byte by the agent; TLS connections travel on streams of their
 * own. The channel is the agent's connection to this node, or a link to the node that holds it.
 */
export class MuxTunnelSession implements TunnelSession {
  readonly protocol = 2;
  readonly info: SessionInfo;
  readonly stats: SessionStats = { requests: 0, bytesIn: 0, bytesOut: 0 };
  /** The `Host` the agent's local server expects, or undefined to pass the public one on. */
  readonly localHost: string | undefined;
  /** Which upgrade carries the agent's connection. */
  readonly transport: TransportKind;
  /** Pooled HTTP connections to the local server. */
  readonly httpAgent: Agent;
  readonly #channel: StreamChannel;
  #inFlight = 0;

  constructor(
    channel: StreamChannel,
    info: SessionInfo,
    options: { maxConcurrentStreams: number; localHost: string | undefined; transport: TransportKind },
  ) {
    this.info = info;
    this.localHost = options.localHost;
    this.transport = options.transport;
    this.#channel = channel;
    this.httpAgent = new StreamAgent(() => this.openStream(StreamKind.HTTP), options.maxConcurrentStreams);
    channel.onClose(() => this.httpAgent.destroy());
  }

  /** True until the connection ends. */
  get open(): boolean {
    return this.#channel.accepting;
  }

  /** Requests and passed-through connections in flight. */
  get activeStreams(): number {
    return this.#inFlight;
  }

  /** Counts one exchange in flight; call the returned function once, when it is over. */
  begin(): () => void {
    this.#inFlight++;
    this.stats.requests++;
    let over = false;
    return () => {
      if (over) return;
      over = true;
      this.#inFlight--;
    };
  }

  /** Opens a stream to the agent. Throws when the connection is closing. */
  openStream(kind: StreamKind): MuxStream {
    return this.#channel.openStream(kind);
  }

  /** Tells the agent (its inspector and log) a request starts on `stream`. */
  requestStarted(stream: MuxStream, id: string, method: string, path: string): void {
    stream.sendInfo(infoPayload(InfoKind.REQUEST, `${id}\n${method}\n${path}`));
  }

  /** Tells the agent the exchange on `stream` is over: its status, body bytes each way, and why it failed. */
  responseEnded(stream: MuxStream, outcome: ExchangeOutcome): void {
    const { status, bytesIn = 0, bytesOut = 0, error = '' } = outcome;
    stream.sendInfo(infoPayload(InfoKind.RESPONSE, `${status}\n${bytesIn}\n${bytesOut}\n${error}`));
  }

  /** Calls `listener` once, when the connection ends, with why. */
  onClose(listener: (reason: string) => void): void {
    this.#channel.onClose(listener);
  }

  /** Ends the connection; whatever is in flight fails at once (it is never re-sent). */
  close(reason: string): void {
    this.#channel.close(reason);
  }
}

function infoPayload(kind: number, text: string): Buffer {
  const body = Buffer.from(text.slice(0, 8000), 'utf8');
  const payload = Buffer.allocUnsafe(1 + body.length);
  payload[0] = kind;
  body.copy(payload, 1);
  return payload;
}
