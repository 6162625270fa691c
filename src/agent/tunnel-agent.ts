import { EventEmitter } from 'node:events';
import { performServerHandshake, type ServerHttp2Session } from 'node:http2';
import { startHeartbeat } from '../tunnel/heartbeat.ts';
import { releaseOnClose } from '../tunnel/release-stream.ts';
import type { TransportKind, TunnelTransport } from '../tunnel/transport.ts';
import { MAX_FRAME, SESSION_WINDOW, STREAM_WINDOW } from '../tunnel/tunnel-session.ts';
import { backoffDelay } from './backoff.ts';
import { DialRefused, dial } from './dial.ts';
import { type ExchangeRecord, handleTunnelStream, type LocalTarget } from './local-forwarder.ts';

/** Settings of a {@link TunnelAgent}. */
export interface AgentOptions {
  readonly server: URL;
  readonly name: string;
  readonly key: string;
  readonly local: LocalTarget;
  readonly version: string;
  readonly heartbeatMs?: number;
  readonly backoffBaseMs?: number;
  readonly backoffCapMs?: number;
  /** Give up after this long without a connection (0: never). */
  readonly retryForMs?: number;
  /** `raw` (default): HTTP/2 on the upgraded connection; `websocket` for proxies that pass only those. */
  readonly transport?: TransportKind;
  /** Extra CA certificates (PEM) to trust for a `https` server, e.g. a private one. */
  readonly ca?: Buffer | undefined;
}

/** Why the agent stopped for good. */
export type FatalReason =
  | { kind: 'bad-key'; message: string }
  | { kind: 'no-such-tunnel'; message: string }
  | { kind: 'unreachable'; message: string };

/** Events of a {@link TunnelAgent}. */
export interface AgentEvents {
  connecting: [attempt: number];
  online: [publicUrl: string];
  offline: [reason: string, retryInMs: number];
  request: [record: ExchangeRecord];
  response: [record: ExchangeRecord];
  fatal: [reason: FatalReason];
}

/**
 * The tunnel agent: keeps one connection open to Gatehouse, serves HTTP/2 on it, and forwards each
 * stream to the local server. It reconnects with capped backoff from the first attempt on, and
 * gives up only on a refused key, an unknown tunnel, or after `retryForMs` offline.
 */
export class TunnelAgent extends EventEmitter<AgentEvents> {
  readonly #options: Required<Omit<AgentOptions, 'ca'>> & Pick<AgentOptions, 'ca'>;
  #dialing: AbortController | undefined;
  #connection:
    | { transport: TunnelTransport; session: ServerHttp2Session; stopHeartbeat: () => void }
    | undefined;
  #attempt = 0;
  #offlineSince = Date.now();
  #stopped = false;
  #retryTimer: NodeJS.Timeout | undefined;
  #publicUrl = '';

  constructor(options: AgentOptions) {
    super();
    this.#options = {
      heartbeatMs: 15_000,
      backoffBaseMs: 250,
      backoffCapMs: 15_000,
      retryForMs: 300_000,
      transport: 'raw',
      ...options,
    };
  }

  /** The public URL once connected. */
  get publicUrl(): string {
    return this.#publicUrl;
  }

  /** True while connected. */
  get online(): boolean {
    return this.#connection !== undefined;
  }

  start(): void {
    this.#offlineSince = Date.now();
    this.#connect();
  }

  /** Closes the connection and stops reconnecting. */
  stop(): void {
    this.#stopped = true;
    clearTimeout(this.#retryTimer);
    this.#dialing?.abort();
    this.#goOffline();
  }

  #connect(): void {
    if (this.#stopped) return;
    this.emit('connecting', this.#attempt);
    const dialing = new AbortController();
    this.#dialing = dialing;
    dial(this.#options, dialing.signal).then(
      (dialed) => {
        if (this.#stopped) dialed.transport.close('agent stopping');
        else this.#online(dialed.transport, dialed.publicUrl);
      },
      (error: Error) => {
        if (this.#stopped) return;
        if (!(error instanceof DialRefused)) {
          this.#scheduleRetry(`cannot reach ${this.#options.server.origin} (${error.message})`);
        } else if (error.status === 401) {
          this.#fatal({ kind: 'bad-key', message: error.message });
        } else if (error.status === 404) {
          this.#fatal({ kind: 'no-such-tunnel', message: error.message });
        } else {
          const hint =
            this.#options.transport === 'raw'
              ? ' (if a proxy in front of Gatehouse passes only WebSockets, use the websocket transport)'
              : '';
          this.#scheduleRetry(
            `${this.#options.server.origin} answered ${error.status}: ${error.message}${hint}`,
          );
        }
      },
    );
  }

  #online(transport: TunnelTransport, publicUrl: string): void {
    this.#attempt = 0;
    this.#publicUrl = publicUrl;
    const session = performServerHandshake(transport.stream, {
      settings: { initialWindowSize: STREAM_WINDOW, maxFrameSize: MAX_FRAME, maxConcurrentStreams: 1000 },
    });
    session.setLocalWindowSize(SESSION_WINDOW);
    session.on('error', () => {});
    session.on('stream', (stream, headers, flags) => {
      releaseOnClose(stream);
      handleTunnelStream(stream, headers, flags, this.#options.local, {
        onStart: (record) => this.emit('request', record),
        onEnd: (record) => this.emit('response', record),
      });
    });
    const stopHeartbeat = startHeartbeat(session, this.#options.heartbeatMs, () =>
      transport.close('heartbeat missed'),
    );
    this.#connection = { transport, session, stopHeartbeat };
    transport.onClose(() => {
      if (this.#connection?.transport !== transport) return;
      this.#goOffline();
      this.#offlineSince = Date.now();
      this.#scheduleRetry('connection lost');
    });
    this.emit('online', publicUrl);
  }

  #goOffline(): void {
    const connection = this.#connection;
    if (!connection) return;
    this.#connection = undefined;
    connection.stopHeartbeat();
    connection.session.destroy();
    connection.transport.close('agent stopping');
  }

  #scheduleRetry(reason: string): void {
    if (this.#stopped) return;
    const offlineFor = Date.now() - this.#offlineSince;
    const { retryForMs } = this.#options;
    if (retryForMs > 0 && offlineFor >= retryForMs) {
      this.#fatal({
        kind: 'unreachable',
        message: `${reason}; gave up after ${(offlineFor / 1000).toFixed(1)} s`,
      });
      return;
    }
    let delay = backoffDelay(this.#attempt++, this.#options.backoffBaseMs, this.#options.backoffCapMs);
    // The last attempt is made when the retry time ends, not a whole backoff step after it.
    if (retryForMs > 0) delay = Math.min(delay, retryForMs - offlineFor);
    this.emit('offline', reason, delay);
    this.#retryTimer = setTimeout(() => this.#connect(), delay);
  }

  #fatal(reason: FatalReason): void {
    if (this.#stopped) return;
    this.stop();
    this.emit('fatal', reason);
  }
}
