import { EventEmitter } from 'node:events';
import { connectFailure } from '../../http/connect-failure.ts';
import type { TransportKind, TunnelTransport } from '../protocol/transport.ts';
import { backoffDelay } from './backoff.ts';
import { type Dialed, type DialOptions, DialRefused, dial, refusedAsTooNew } from './dial.ts';
import { serveOverHttp2 } from './h2-serve.ts';
import type { ExchangeRecord, LocalTarget } from './local-forwarder.ts';
import type { PassthroughRecord, PassthroughTarget } from './local-passthrough.ts';
import { type ServeOptions, serveOverMux } from './mux-serve.ts';

/** Settings of a {@link TunnelAgent}. */
export interface AgentOptions {
  readonly server: URL;
  /** The tunnel's name; empty when a login token connects, and the server picks the person's tunnel. */
  readonly name: string;
  readonly key: string;
  /**
   * A fresh bearer for each connection instead of `key`: a login's access token, refreshed when
   * due. An error with `fatal: true` means the login has ended and the agent stops (bad key);
   * any other failure is retried like an unreachable server.
   */
  readonly credential?: (() => Promise<string>) | undefined;
  /** Where HTTP requests go; without it the tunnel answers them 502 (a TLS-passthrough-only tunnel). */
  readonly local?: LocalTarget | undefined;
  /** The local TLS server that TLS connections to the tunnel's name go to, unterminated. */
  readonly tlsPassthrough?: PassthroughTarget | undefined;
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
  /**
   * The tunnel protocol to start with (default 2). A Gatehouse of the previous release refuses 2,
   * and the agent then speaks 1 to it.
   */
  readonly protocol?: 1 | 2;
}

/** Why the agent stopped for good. */
export type FatalReason =
  | { kind: 'bad-key'; message: string }
  | { kind: 'no-such-tunnel'; message: string }
  /** `permanent`: no retry could help (a name that does not exist, https to a plain-HTTP port). */
  | { kind: 'unreachable'; message: string; permanent?: boolean }
  | { kind: 'passthrough-unavailable'; message: string };

/** Events of a {@link TunnelAgent}. */
export interface AgentEvents {
  connecting: [attempt: number];
  online: [publicUrl: string];
  offline: [reason: string, retryInMs: number];
  request: [record: ExchangeRecord];
  response: [record: ExchangeRecord];
  /** A passed-through TLS connection closed. */
  passthrough: [record: PassthroughRecord];
  fatal: [reason: FatalReason];
}

/**
 * The tunnel agent: keeps one connection open to Gatehouse, serves HTTP/2 on it, and forwards each
 * stream to the local server. It reconnects with capped backoff from the first attempt on, and
 * gives up only on a refused key, an unknown tunnel, a server no retry can reach (a name that
 * does not exist, https to a plain-HTTP port), or after `retryForMs` offline.
 */
export class TunnelAgent extends EventEmitter<AgentEvents> {
  readonly #options: Required<Omit<AgentOptions, 'ca' | 'local' | 'tlsPassthrough' | 'credential'>> &
    Pick<AgentOptions, 'ca' | 'local' | 'tlsPassthrough' | 'credential'>;
  #dialing: AbortController | undefined;
  #connection: { transport: TunnelTransport; stop: () => void } | undefined;
  /** The protocol the next dial asks for. */
  #protocol: 1 | 2;
  #attempt = 0;
  #offlineSince = Date.now();
  #stopped = false;
  #retryTimer: NodeJS.Timeout | undefined;
  #publicUrl = '';
  #passthroughAddress: string | undefined;

  constructor(options: AgentOptions) {
    super();
    this.#options = {
      heartbeatMs: 15_000,
      backoffBaseMs: 250,
      backoffCapMs: 15_000,
      retryForMs: 300_000,
      transport: 'raw',
      protocol: 2,
      ...options,
    };
    this.#protocol = this.#options.protocol;
  }

  /** The public URL once connected. */
  get publicUrl(): string {
    return this.#publicUrl;
  }

  /** Where TLS clients reach the tunnel (`host:port`), once connected with passthrough. */
  get passthroughAddress(): string | undefined {
    return this.#passthroughAddress;
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
    const local = this.#options.local;
    const base = {
      ...this.#options,
      passthrough: this.#options.tlsPassthrough !== undefined,
      protocol: this.#protocol,
      localHost: local && !local.preserveHost ? local.url.host : undefined,
    };
    const credential = this.#options.credential;
    if (credential) {
      credential().then(
        (key) => {
          if (!dialing.signal.aborted) this.#dial({ ...base, key }, dialing);
        },
        (error: Error & { fatal?: boolean }) => {
          if (this.#stopped) return;
          if (error.fatal) return this.#fatal({ kind: 'bad-key', message: error.message });
          const failure = connectFailure(error, this.#options.server);
          const reason = `cannot renew the login at ${this.#options.server.origin} (${failure.message})`;
          if (failure.permanent) this.#fatal({ kind: 'unreachable', permanent: true, message: reason });
          else this.#scheduleRetry(reason);
        },
      );
    } else this.#dial(base, dialing);
  }

  #dial(options: DialOptions, dialing: AbortController): void {
    const passthrough = options.passthrough === true;
    dial(options, dialing.signal).then(
      (dialed) => {
        if (this.#stopped) {
          dialed.transport.close('agent stopping');
        } else if (passthrough && !dialed.passthroughAddress) {
          dialed.transport.close('no passthrough');
          this.#fatal({
            kind: 'passthrough-unavailable',
            message: `${this.#options.server.origin} accepted the tunnel but does not pass TLS connections through (a Gatehouse too old for it?)`,
          });
        } else {
          this.#passthroughAddress = dialed.passthroughAddress;
          this.#online(dialed);
        }
      },
      (error: Error) => {
        if (this.#stopped) return;
        if (!(error instanceof DialRefused)) {
          const failure = connectFailure(error, this.#options.server);
          if (failure.permanent)
            this.#fatal({
              kind: 'unreachable',
              permanent: true,
              message: `cannot reach ${this.#options.server.origin}: ${failure.message}`,
            });
          else this.#scheduleRetry(`cannot reach ${this.#options.server.origin} (${failure.message})`);
        } else if (this.#protocol === 2 && refusedAsTooNew(error)) {
          // A Gatehouse of the previous release: it speaks protocol 1, and so does this agent to it.
          this.#protocol = 1;
          this.#connect();
        } else if (error.status === 401) {
          this.#fatal({ kind: 'bad-key', message: error.message });
        } else if (error.status === 404) {
          this.#fatal({ kind: 'no-such-tunnel', message: error.message });
        } else if (error.status === 501 && passthrough) {
          this.#fatal({ kind: 'passthrough-unavailable', message: error.message });
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

  #online(dialed: Dialed): void {
    const { transport, publicUrl } = dialed;
    this.#attempt = 0;
    this.#publicUrl = publicUrl;
    const serving: ServeOptions = {
      name: this.#options.name,
      heartbeatMs: this.#options.heartbeatMs,
      local: this.#options.local,
      tlsPassthrough: this.#options.tlsPassthrough,
      exchanges: {
        onStart: (record) => this.emit('request', record),
        onEnd: (record) => this.emit('response', record),
      },
      onPassthrough: (record) => this.emit('passthrough', record),
    };
    const stop =
      dialed.protocol === 2 ? serveOverMux(transport, serving) : serveOverHttp2(transport, serving);
    this.#connection = { transport, stop };
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
    connection.stop();
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
