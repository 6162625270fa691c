import { type ClientHttp2Session, type ClientHttp2Stream, connect, constants } from 'node:http2';
import type { WebSocket } from 'ws';
import { webSocketDuplex } from './websocket-duplex.ts';

/** Per-stream flow-control window: how much one request may have in flight unacknowledged. */
export const STREAM_WINDOW = 4 * 1024 * 1024;
/** Connection-wide flow-control window, shared by all streams of a tunnel. */
export const SESSION_WINDOW = 32 * 1024 * 1024;
/** Largest HTTP/2 frame: bigger frames mean fewer WebSocket messages for bulk bodies. */
export const MAX_FRAME = 256 * 1024;

/** Who is on the other end of a tunnel connection. */
export interface SessionInfo {
  readonly name: string;
  readonly ip: string;
  readonly agentVersion: string;
  readonly connectedAt: Date;
}

/** Counters shown in the tunnel listing and metrics. */
export interface SessionStats {
  requests: number;
  bytesIn: number;
  bytesOut: number;
}

/**
 * One agent connection, seen from the edge: an HTTP/2 client session running over the agent's
 * WebSocket. Heartbeats (WebSocket pings) find a dead peer; closing fails every open stream at once.
 */
export class TunnelSession {
  readonly info: SessionInfo;
  readonly stats: SessionStats = { requests: 0, bytesIn: 0, bytesOut: 0 };
  readonly #ws: WebSocket;
  readonly #h2: ClientHttp2Session;
  readonly #closeListeners = new Set<(reason: string) => void>();
  readonly #heartbeat: NodeJS.Timeout;
  #closedReason: string | undefined;
  #awaitingPong = false;
  #inFlight = 0;

  constructor(
    ws: WebSocket,
    info: SessionInfo,
    options: { heartbeatMs: number; maxConcurrentStreams: number },
  ) {
    this.info = info;
    this.#ws = ws;
    const duplex = webSocketDuplex(ws);
    duplex.on('error', () => {});
    this.#h2 = connect('http://tunnel.invalid', {
      createConnection: () => duplex as never,
      peerMaxConcurrentStreams: options.maxConcurrentStreams,
      settings: { enablePush: false, initialWindowSize: STREAM_WINDOW, maxFrameSize: MAX_FRAME },
    });
    // The connection-wide window starts at 64 KiB, which would throttle every stream together.
    this.#h2.once('connect', () => this.#h2.setLocalWindowSize(SESSION_WINDOW));
    this.#h2.on('error', () => {});
    this.#h2.on('close', () => this.close('session closed'));
    this.#h2.on('goaway', () => this.close('agent went away'));
    ws.on('close', () => this.close('connection closed'));
    ws.on('pong', () => {
      this.#awaitingPong = false;
    });
    this.#heartbeat = setInterval(() => {
      if (this.#awaitingPong) {
        this.close('heartbeat missed');
        return;
      }
      this.#awaitingPong = true;
      ws.ping();
    }, options.heartbeatMs);
    this.#heartbeat.unref();
  }

  /** True until the connection ends. */
  get open(): boolean {
    return this.#closedReason === undefined;
  }

  /** Open HTTP/2 streams: requests in flight. */
  get activeStreams(): number {
    return this.#inFlight;
  }

  /** Opens a stream to the agent. Counted in flight until it closes. */
  request(headers: Record<string, string | string[]>, options: { endStream: boolean }): ClientHttp2Stream {
    const stream = this.#h2.request(headers, { endStream: options.endStream });
    this.#inFlight++;
    this.stats.requests++;
    stream.once('close', () => {
      this.#inFlight--;
    });
    return stream;
  }

  /** Calls `listener` once, when the connection ends, with why. */
  onClose(listener: (reason: string) => void): void {
    if (this.#closedReason !== undefined) listener(this.#closedReason);
    else this.#closeListeners.add(listener);
  }

  /** Ends the connection; streams in flight fail at once (they are never re-sent). */
  close(reason: string): void {
    if (this.#closedReason !== undefined) return;
    this.#closedReason = reason;
    clearInterval(this.#heartbeat);
    this.#h2.destroy(undefined, constants.NGHTTP2_CANCEL);
    if (this.#ws.readyState === this.#ws.OPEN) this.#ws.close(1001, reason.slice(0, 100));
    setTimeout(() => this.#ws.terminate(), 1000).unref();
    for (const listener of this.#closeListeners) listener(reason);
    this.#closeListeners.clear();
  }
}
