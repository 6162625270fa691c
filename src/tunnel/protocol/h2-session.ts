import { type ClientHttp2Session, type ClientHttp2Stream, connect, constants } from 'node:http2';
import { startHeartbeat } from './heartbeat.ts';
import { releaseOnClose } from './release-stream.ts';
import type { TransportKind, TunnelTransport } from './transport.ts';
import type { SessionInfo, SessionStats, TunnelSession } from './tunnel-session.ts';

/** Per-stream flow-control window: how much one request may have in flight unacknowledged. */
export const STREAM_WINDOW = 4 * 1024 * 1024;
/** Connection-wide flow-control window, shared by all streams of a tunnel. */
export const SESSION_WINDOW = 32 * 1024 * 1024;
/** Largest HTTP/2 frame: bigger frames mean fewer WebSocket messages for bulk bodies. */
export const MAX_FRAME = 256 * 1024;

/**
 * One agent connection of protocol 1, seen from the edge: an HTTP/2 client session running over
 * the agent's upgraded connection. Heartbeats (HTTP/2 pings) find a dead peer; closing fails every
 * open stream at once. Kept for agents of the previous release.
 */
export class Http2TunnelSession implements TunnelSession {
  readonly protocol = 1;
  readonly info: SessionInfo;
  readonly stats: SessionStats = { requests: 0, bytesIn: 0, bytesOut: 0 };
  readonly #transport: TunnelTransport;
  readonly #h2: ClientHttp2Session;
  readonly #closeListeners = new Set<(reason: string) => void>();
  readonly #stopHeartbeat: () => void;
  #closedReason: string | undefined;
  #inFlight = 0;

  constructor(
    transport: TunnelTransport,
    info: SessionInfo,
    options: { heartbeatMs: number; maxConcurrentStreams: number },
  ) {
    this.info = info;
    this.#transport = transport;
    this.#h2 = connect('http://tunnel.invalid', {
      createConnection: () => transport.stream as never,
      peerMaxConcurrentStreams: options.maxConcurrentStreams,
      settings: { enablePush: false, initialWindowSize: STREAM_WINDOW, maxFrameSize: MAX_FRAME },
    });
    // The connection-wide window starts at 64 KiB, which would throttle every stream together.
    this.#h2.once('connect', () => this.#h2.setLocalWindowSize(SESSION_WINDOW));
    this.#h2.on('error', () => {});
    this.#h2.on('close', () => this.close('session closed'));
    this.#h2.on('goaway', () => this.close('agent went away'));
    transport.onClose(() => this.close('connection closed'));
    this.#stopHeartbeat = startHeartbeat(this.#h2, options.heartbeatMs, () => this.close('heartbeat missed'));
  }

  /** Which upgrade carries this tunnel. */
  get transport(): TransportKind {
    return this.#transport.kind;
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
    releaseOnClose(stream);
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
    this.#stopHeartbeat();
    this.#h2.destroy(undefined, constants.NGHTTP2_CANCEL);
    this.#transport.close(reason);
    for (const listener of this.#closeListeners) listener(reason);
    this.#closeListeners.clear();
  }
}
