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
}

/** How an exchange on a stream ended, as the agent's log and inspector show it. */
export interface ExchangeOutcome {
  readonly status: number;
  readonly bytesIn?: number;
  readonly bytesOut?: number;
  readonly error?: string | undefined;
}

/**
 * One agent connection of protocol 2, seen from the edge: a {@link MuxSession} whose streams are
 * connections to the agent's local server. HTTP requests travel as HTTP/1.1 on pooled streams,
 * framed by Node's HTTP client here and passed on byte for byte by the agent; TLS connections
 * travel on streams of their own.
 */
export class MuxTunnelSession implements TunnelSession {
  readonly protocol = 2;
  readonly info: SessionInfo;
  readonly stats: SessionStats = { requests: 0, bytesIn: 0, bytesOut: 0 };
  /** The `Host` the agent's local server expects, or undefined to pass the public one on. */
  readonly localHost: string | undefined;
  /** Pooled HTTP connections to the local server. */
  readonly httpAgent: Agent;
  readonly #transport: TunnelTransport;
  readonly #mux: MuxSession;
  #inFlight = 0;

  constructor(
    transport: TunnelTransport,
    info: SessionInfo,
    options: { heartbeatMs: number; maxConcurrentStreams: number; localHost: string | undefined },
  ) {
    this.info = info;
    this.localHost = options.localHost;
    this.#transport = transport;
    this.#mux = new MuxSession(transport.stream, {
      role: 'edge',
      heartbeatMs: options.heartbeatMs,
      maxIncomingStreams: 0,
    });
    this.httpAgent = new StreamAgent(() => this.openStream(StreamKind.HTTP), options.maxConcurrentStreams);
    this.#mux.onClose((reason) => {
      this.httpAgent.destroy();
      transport.close(reason);
    });
    transport.onClose(() => this.#mux.close('connection closed'));
  }

  /** Which upgrade carries this tunnel. */
  get transport(): TransportKind {
    return this.#transport.kind;
  }

  /** True until the connection ends. */
  get open(): boolean {
    return this.#mux.accepting;
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
    return this.#mux.openStream(kind);
  }

  /** Tells the agent (its inspector and log) a request starts on `stream`. */
  requestStarted(stream: MuxStream, id: string, method: string, path: string): void {
    this.#mux.info(stream, infoPayload(InfoKind.REQUEST, `${id}\n${method}\n${path}`));
  }

  /** Tells the agent the exchange on `stream` is over: its status, body bytes each way, and why it failed. */
  responseEnded(stream: MuxStream, outcome: ExchangeOutcome): void {
    const { status, bytesIn = 0, bytesOut = 0, error = '' } = outcome;
    this.#mux.info(stream, infoPayload(InfoKind.RESPONSE, `${status}\n${bytesIn}\n${bytesOut}\n${error}`));
  }

  /** Asks the agent to open no more, and lets what is in flight finish. */
  goAway(reason: string): void {
    this.#mux.goAway(reason);
  }

  /** Calls `listener` once, when the connection ends, with why. */
  onClose(listener: (reason: string) => void): void {
    this.#mux.onClose(listener);
  }

  /** Ends the connection; whatever is in flight fails at once (it is never re-sent). */
  close(reason: string): void {
    this.#mux.close(reason);
  }
}

function infoPayload(kind: number, text: string): Buffer {
  const body = Buffer.from(text.slice(0, 8000), 'utf8');
  const payload = Buffer.allocUnsafe(1 + body.length);
  payload[0] = kind;
  body.copy(payload, 1);
  return payload;
}
